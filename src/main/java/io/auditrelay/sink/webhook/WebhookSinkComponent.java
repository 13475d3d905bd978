package io.auditrelay.sink.webhook;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.util.PropertiesHelper;

import java.util.Map;

/** {@code audit-webhook:<url>}: the webhook sink ({@link WebhookSink}) as an endpoint. */
@Component("audit-webhook")
public class WebhookSinkComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        WebhookSinkEndpoint endpoint = new WebhookSinkEndpoint(uri, this);
        endpoint.setUrl(remaining);
        Map<String, Object> headers = PropertiesHelper.extractProperties(parameters, "header.");
        setProperties(endpoint, parameters);
        endpoint.getHeaders().putAll(headers);
        return endpoint;
    }
}

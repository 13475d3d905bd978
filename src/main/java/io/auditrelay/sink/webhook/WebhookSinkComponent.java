package io.auditrelay.sink.webhook;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.util.PropertiesHelper;

import java.util.Map;

/** {@code audit-webhook:<url>}: the webhook sink ({@link WebhookSink}) as an endpoint. */
@Component("audit-webhook")
public class WebhookSinkComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        WebhookSinkEndpoint endpoint = new WebhookSinkEndpoint(uri, this);
        endpoint.setUrl(remaining);
        Map<String, Object> headers = PropertiesHelper.extractProperties(parameters, "header.");
        setProperties(endpoint, parameters);
        endpoint.getHeaders().putAll(headers);
        return endpoint;
    }
}

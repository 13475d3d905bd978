package io.auditrelay.source.astra;

import io.auditrelay.unit.PipeValues;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * {@code audit-astra:<topics>}: Astra DB audit events from Astra Streaming (Pulsar) as a consumer endpoint, one
 * exchange per Pulsar message, acknowledged when the exchange completes (see {@link AstraEndpoint}).
 */
@Component("audit-astra")
public class AstraComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // values of a Pipe run by Camel JBang arrive URL-encoded (PipeValues)
        remaining = PipeValues.decode(remaining);
        PipeValues.decodeAll(parameters);
        AstraEndpoint endpoint = new AstraEndpoint(uri, this);
        endpoint.setTopics(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

package io.auditrelay.source.astra;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/**
 * {@code audit-astra:<topics>}: Astra DB audit events from Astra Streaming (Pulsar) as a consumer endpoint, one
 * exchange per Pulsar message, acknowledged when the exchange completes (see {@link AstraEndpoint}).
 */
@Component("audit-astra")
public class AstraComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        AstraEndpoint endpoint = new AstraEndpoint(uri, this);
        endpoint.setTopics(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

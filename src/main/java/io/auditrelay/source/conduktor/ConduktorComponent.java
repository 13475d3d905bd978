package io.auditrelay.source.conduktor;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/**
 * {@code audit-conduktor:<topics>}: Conduktor audit events (CloudEvents, structured or binary mode) from Kafka, one
 * exchange per poll batch ({@link ConduktorEndpoint}).
 */
@Component("audit-conduktor")
public class ConduktorComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        ConduktorEndpoint endpoint = new ConduktorEndpoint(uri, this);
        endpoint.setTopics(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

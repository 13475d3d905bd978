package io.auditrelay.source.conduktor;

import io.auditrelay.unit.PipeValues;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * {@code audit-conduktor:<topics>}: Conduktor audit events (CloudEvents, structured or binary mode) from Kafka, one
 * exchange per poll batch ({@link ConduktorEndpoint}).
 */
@Component("audit-conduktor")
public class ConduktorComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // values of a Pipe run by Camel JBang arrive URL-encoded (PipeValues)
        remaining = PipeValues.decode(remaining);
        PipeValues.decodeAll(parameters);
        ConduktorEndpoint endpoint = new ConduktorEndpoint(uri, this);
        endpoint.setTopics(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

package io.auditrelay.source.cockroachdb;

import io.auditrelay.unit.PipeValues;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * {@code audit-cockroachdb:[name]}: the CockroachDB Cloud organization audit log as a consumer endpoint, one exchange
 * per API page, the cursor saved when the exchange completed.
 */
@Component("audit-cockroachdb")
public class CockroachDbComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // values of a Pipe run by Camel JBang arrive URL-encoded (PipeValues)
        remaining = PipeValues.decode(remaining);
        PipeValues.decodeAll(parameters);
        CockroachDbEndpoint endpoint = new CockroachDbEndpoint(uri, this);
        if (remaining != null && !remaining.isBlank()) {
            endpoint.setName(remaining);
        }
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

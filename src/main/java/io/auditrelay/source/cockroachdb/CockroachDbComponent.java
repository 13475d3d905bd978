package io.auditrelay.source.cockroachdb;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/**
 * {@code audit-cockroachdb:[name]}: the CockroachDB Cloud organization audit log as a consumer endpoint, one exchange
 * per API page, the cursor saved when the exchange completed.
 */
@Component("audit-cockroachdb")
public class CockroachDbComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CockroachDbEndpoint endpoint = new CockroachDbEndpoint(uri, this);
        if (remaining != null && !remaining.isBlank()) {
            endpoint.setName(remaining);
        }
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

package io.auditrelay.sink;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/** {@code audit-ndjson:<directory>}: the NDJSON file sink ({@link NdjsonFileSink}) as an endpoint. */
@Component("audit-ndjson")
public class NdjsonSinkComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        NdjsonSinkEndpoint endpoint = new NdjsonSinkEndpoint(uri, this);
        endpoint.setDirectory(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

package io.auditrelay.sink;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/** {@code audit-csv:<directory>}: the CSV file sink ({@link CsvFileSink}) as an endpoint. */
@Component("audit-csv")
public class CsvSinkComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        CsvSinkEndpoint endpoint = new CsvSinkEndpoint(uri, this);
        endpoint.setDirectory(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

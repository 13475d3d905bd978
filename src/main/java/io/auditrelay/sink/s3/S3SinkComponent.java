package io.auditrelay.sink.s3;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/** {@code audit-s3:<bucket>}: the S3 sink ({@link S3Sink}) as an endpoint. */
@Component("audit-s3")
public class S3SinkComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        S3SinkEndpoint endpoint = new S3SinkEndpoint(uri, this);
        endpoint.setBucket(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

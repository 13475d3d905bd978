package io.auditrelay.source.inbox;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;

import java.util.Map;

/**
 * {@code audit-inbox:<vendor>}: a folder of vendor export files ({@code <directory>/<vendor>/}), each file one unit,
 * acknowledged by moving it to {@code .done/}.
 */
@Component("audit-inbox")
public class InboxComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        InboxEndpoint endpoint = new InboxEndpoint(uri, this);
        endpoint.setVendor(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

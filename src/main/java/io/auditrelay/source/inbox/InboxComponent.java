package io.auditrelay.source.inbox;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * {@code audit-inbox:<vendor>}: a folder of vendor export files ({@code <directory>/<vendor>/}), each file one unit,
 * acknowledged by moving it to {@code .done/}.
 */
@Component("audit-inbox")
public class InboxComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        InboxEndpoint endpoint = new InboxEndpoint(uri, this);
        endpoint.setVendor(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

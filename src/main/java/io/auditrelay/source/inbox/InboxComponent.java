package io.auditrelay.source.inbox;

import io.auditrelay.unit.PipeValues;
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
        // values of a Pipe run by Camel JBang arrive URL-encoded (PipeValues)
        remaining = PipeValues.decode(remaining);
        PipeValues.decodeAll(parameters);
        InboxEndpoint endpoint = new InboxEndpoint(uri, this);
        endpoint.setVendor(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}

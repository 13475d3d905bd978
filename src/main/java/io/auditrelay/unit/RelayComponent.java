package io.auditrelay.unit;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The base of the relay's components: every option value reaches the endpoint as the user wrote it, from a route
 * file, a Kamelet property or a Pipe run by Camel JBang (whose values arrive URL-encoded, see {@link PipeValues}).
 */
public abstract class RelayComponent extends DefaultComponent {

    @Override
    protected final Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        PipeValues.decodeAll(parameters);
        return newEndpoint(uri, PipeValues.decode(remaining), parameters);
    }

    /** The endpoint of {@code uri}: its path set from {@code remaining} and its options from {@code parameters}. */
    protected abstract Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception;
}

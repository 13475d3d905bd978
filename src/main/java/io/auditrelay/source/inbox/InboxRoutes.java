package io.auditrelay.source.inbox;

import io.auditrelay.mapper.Mappers;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route {@code inbox-<vendor>} per vendor the relay has a mapper for ({@link Mappers#vendors()}), each from the
 * route template {@value #TEMPLATE} of {@code routes/source-inbox.yaml}. Camel adds templated routes after every route
 * file was loaded, so the template is there by then; when the route files in use have no such template (the user left
 * the inbox out), no inbox route is made.
 */
public class InboxRoutes extends RouteBuilder {

    public static final String TEMPLATE = "inbox";
    private static final Logger LOG = LoggerFactory.getLogger(InboxRoutes.class);

    @Override
    public void configure() {
        for (String vendor : Mappers.vendors()) {
            templatedRoute(TEMPLATE).routeId("inbox-" + vendor).parameter("vendor", vendor);
        }
    }

    @Override
    public void addTemplatedRoutesToCamelContext(CamelContext context) throws Exception {
        if (context.getCamelContextExtension().getContextPlugin(Model.class).getRouteTemplateDefinition(TEMPLATE) == null) {
            LOG.info("No route template '{}' in the route files: no file inbox", TEMPLATE);
            return;
        }
        super.addTemplatedRoutesToCamelContext(context);
    }
}

package io.auditrelay.source.inbox;

import io.auditrelay.mapper.Mappers;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The relay makes one inbox route per vendor it has a mapper for, from the template in routes/source-inbox.yaml. */
class InboxRoutesTest {

    @TempDir
    Path dir;

    private static List<String> inboxRoutes(CamelContext context) {
        return context.getRoutes().stream().map(Route::getRouteId).filter(id -> id.startsWith("inbox-")).sorted().toList();
    }

    @Test
    void one_inbox_route_per_mapped_vendor_each_from_its_endpoint() {
        RelayRunner relay = RelayRunner.inDir(dir);
        CamelContext context = relay.start();
        try {
            assertThat(inboxRoutes(context)).containsExactlyElementsOf(
                    Mappers.vendors().stream().map(vendor -> "inbox-" + vendor).sorted().toList());
            for (String vendor : Mappers.vendors()) {
                assertThat(context.getRoute("inbox-" + vendor).getEndpoint().getEndpointUri())
                        .startsWith("audit-inbox://" + vendor + "?");
            }
        } finally {
            relay.stop();
        }
    }

    @Test
    void no_inbox_route_when_the_inbox_is_disabled() {
        RelayRunner relay = RelayRunner.inDir(dir).with("relay.inbox.enabled", "false");
        CamelContext context = relay.start();
        try {
            assertThat(inboxRoutes(context)).isEmpty();
            assertThat(context.getRoute("ingest-batch")).isNotNull();
        } finally {
            relay.stop();
        }
    }
}

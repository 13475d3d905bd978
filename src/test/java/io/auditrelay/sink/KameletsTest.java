package io.auditrelay.sink;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.testing.Output;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The CSV sink Kamelet runs (the catalog conventions of every Kamelet are checked by KameletCatalogTest). */
class KameletsTest {

    @TempDir
    Path dir;

    @Test
    void the_csv_kamelet_writes_the_daily_file() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").to("kamelet:audit-csv-sink?directory=" + dir);
                }
            });
            context.start();
            context.createProducerTemplate().sendBody("direct:in", new AuditEvent("astra:e1", "2024-05-02T09:15:32.481Z",
                    "2024-05-02T09:15:33Z", "astra", "DB_CREATED", null, null, null, null, null, null));
        }
        assertThat(Output.lines(dir)).containsExactly(CsvFileSink.HEADER,
                "astra:e1,2024-05-02T09:15:32.481Z,2024-05-02T09:15:33Z,astra,DB_CREATED,,,,,,,,,");
    }
}

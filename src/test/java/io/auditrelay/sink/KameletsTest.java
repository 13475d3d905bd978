package io.auditrelay.sink;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.testing.Output;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The sink Kamelets follow the catalog conventions, and the CSV one runs. */
class KameletsTest {

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @ValueSource(strings = {"audit-kafka-sink", "audit-webhook-sink", "audit-csv-sink"})
    void follows_the_catalog_conventions(String name) throws Exception {
        Path file = Path.of("kamelets/" + name + ".kamelet.yaml");
        String text = Files.readString(file);
        Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
        assertThat(doc.get("apiVersion")).isEqualTo("camel.apache.org/v1");
        assertThat(doc.get("kind")).isEqualTo("Kamelet");
        Map<String, Object> metadata = (Map<String, Object>) doc.get("metadata");
        assertThat(metadata.get("name")).isEqualTo(name);
        assertThat((Map<String, Object>) metadata.get("labels")).containsEntry("camel.apache.org/kamelet.type", "sink");
        Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
        Map<String, Object> definition = (Map<String, Object>) spec.get("definition");
        assertThat((String) definition.get("title")).endsWith("Sink");
        assertThat((List<String>) spec.get("dependencies")).isNotEmpty();
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        assertThat(((Map<String, Object>) template.get("from")).get("uri")).isEqualTo("kamelet:source");
        String templateText = text.substring(text.indexOf("  template:"));
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) definition.get("properties");
        properties.forEach((key, p) -> {
            assertThat(p).as(key).containsKeys("title", "description", "type", "example");
            assertThat(p.containsKey("default") || ((List<?>) definition.get("required")).contains(key)).as(key).isTrue();
            assertThat(templateText).as(key + " used in the template").contains("{{" + key + "}}");
            if ("password".equals(p.get("format"))) {
                assertThat((List<String>) p.get("x-descriptors")).contains("urn:camel:group:credentials");
            }
        });
    }

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

package io.auditrelay.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.mapper.VendorMapper;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vendors are the mappers registered in {@link Mappers}: what names them elsewhere, in files that can't be derived
 * at run time (the schema, the Kamelets, the examples and docs), agrees with that list. A new vendor fails here until
 * every one of these places knows it (see docs/adding-a-vendor.md).
 */
class VendorFactsAgreeTest {

    private static final Path ROOT = Path.of("");

    @Test
    void the_schema_names_exactly_the_vendors_with_a_mapper() throws Exception {
        JsonNode schema = Json.MAPPER.readTree(ROOT.resolve("schema/audit-event.schema.json").toFile());
        List<String> vendors = new ArrayList<>();
        schema.at("/properties/vendor/enum").forEach(v -> vendors.add(v.asText()));
        assertThat(new TreeSet<>(vendors)).containsExactlyElementsOf(Mappers.vendors());
        assertThat(schema.at("/properties/id/pattern").asText())
                .isEqualTo("^(" + String.join("|", vendors) + "):.+$");
    }

    @Test
    void the_schema_version_and_actor_kinds_agree_with_the_event() throws Exception {
        JsonNode schema = Json.MAPPER.readTree(ROOT.resolve("schema/audit-event.schema.json").toFile());
        assertThat(schema.at("/properties/schema_version/const").asText()).isEqualTo(AuditEvent.SCHEMA_VERSION);
        List<String> kinds = new ArrayList<>();
        schema.at("/properties/actor/properties/type/enum").forEach(v -> kinds.add(v.isNull() ? null : v.asText()));
        assertThat(kinds).containsExactlyInAnyOrder(AuditEvent.Actor.USER, AuditEvent.Actor.SERVICE_ACCOUNT,
                AuditEvent.Actor.API_KEY, null);
        assertThat(Files.readString(ROOT.resolve("docs/event-schema.md")))
                .contains("`schema_version` is `" + AuditEvent.SCHEMA_VERSION + "`");
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_normalize_action_offers_exactly_the_vendors_with_a_mapper() throws Exception {
        Map<String, Object> kamelet = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ROOT.resolve("kamelets/audit-normalize-action.kamelet.yaml")));
        Map<String, Object> vendor = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) kamelet.get("spec")).get("definition")).get("properties")).get("vendor");
        assertThat(new TreeSet<>((List<String>) vendor.get("enum"))).containsExactlyElementsOf(Mappers.vendors());
    }

    @Test
    void every_vendor_has_an_example_and_a_doc_and_every_source_kamelet_a_vendor() throws Exception {
        for (String vendor : Mappers.vendors()) {
            assertThat(ROOT.resolve("examples/inbox/" + vendor)).as(vendor).isDirectoryContaining(p -> Files.isRegularFile(p));
            assertThat(ROOT.resolve("docs/" + vendor + ".md")).as(vendor).isRegularFile();
        }
        try (var kamelets = Files.list(ROOT.resolve("kamelets"))) {
            assertThat(kamelets.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("-audit-source.kamelet.yaml"))
                    .map(n -> n.substring(0, n.indexOf("-audit-source"))))
                    .isNotEmpty().allSatisfy(vendor -> assertThat(Mappers.vendors()).contains(vendor));
        }
    }

    @Test
    void a_vendor_facts_are_consistent() {
        for (VendorMapper mapper : Mappers.all()) {
            assertThat(mapper.vendor()).matches("[a-z0-9]+");
            assertThat(mapper.csvColumns()).doesNotHaveDuplicates();
        }
        assertThat(Mappers.forVendor("airkit").skips("airkit-verify-test-1700000000")).isTrue();
        assertThat(Mappers.forVendor("airkit").skips("audit-2024-10-01.csv.gz")).isFalse();
        assertThat(Mappers.forVendor("astra").csvColumns()).contains("eventType", "eventTime");
    }
}

package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.auditrelay.event.AuditEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.auditrelay.mapper.Fixtures.CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;

/** Every fixture, mapped and serialized with {@link Json#MAPPER}, is valid against the published schema. */
class SchemaValidationTest {

    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        Path file = Path.of(System.getProperty("basedir", "."), "schema", "audit-event.schema.json");
        try (InputStream in = Files.newInputStream(file)) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    static Stream<AuditEvent> mappedFixtures() {
        return Stream.concat(MappedFixtures.fixtures().stream(), MappedFixtures.everyDocumentedAction().stream());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("mappedFixtures")
    void mappedEventIsValid(AuditEvent event) throws Exception {
        JsonNode json = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(event));

        Set<ValidationMessage> errors = schema.validate(json);

        assertThat(errors).isEmpty();
        assertThat(json.get("raw")).isEqualTo(event.raw());
    }

    @Test
    void schemaRejectsNonCanonicalEvents() throws Exception {
        ObjectNode valid = (ObjectNode) Json.MAPPER.valueToTree(mappedFixtures().findFirst().orElseThrow());

        assertThat(schema.validate(valid)).isEmpty();
        assertThat(schema.validate(valid.deepCopy().put("time", "2024-03-05T12:34:56.789+01:00"))).isNotEmpty();
        assertThat(schema.validate(valid.deepCopy().put("activity", "created"))).isNotEmpty();
        assertThat(schema.validate(valid.deepCopy().put("time", "2024-03-05T12:34:56.789Z"))).isNotEmpty();
        assertThat(schema.validate(valid.deepCopy().put("schema_version", "1.0"))).isNotEmpty();
        ObjectNode badKind = valid.deepCopy();
        ((ObjectNode) badKind.get("actor")).put("type", "robot");
        assertThat(schema.validate(badKind)).isNotEmpty();
        ObjectNode noSession = valid.deepCopy();
        noSession.putNull("session");
        assertThat(schema.validate(noSession)).isNotEmpty();
        assertThat(schema.validate(valid.deepCopy().put("id", "splunk:1"))).isNotEmpty();
        ObjectNode missing = valid.deepCopy();
        missing.remove("org");
        assertThat(schema.validate(missing)).isNotEmpty();
        ObjectNode rawText = valid.deepCopy();
        rawText.put("raw", "not an object");
        assertThat(schema.validate(rawText)).isNotEmpty();
    }

    private static AuditEvent map(String vendor, JsonNode record) {
        return Mappers.forVendor(vendor).map(record, CONTEXT);
    }
}

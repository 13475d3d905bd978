package io.auditrelay.ops;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every Kamelet in kamelets/ follows the rules of the Apache Camel Kamelet catalog. */
class KameletCatalogTest {

    static Stream<String> kamelets() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("kamelets"))) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".kamelet.yaml")).sorted().toList().stream();
        }
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @MethodSource("kamelets")
    void follows_the_catalog_conventions(String fileName) throws Exception {
        String text = Files.readString(Path.of("kamelets", fileName));
        Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
        String name = fileName.substring(0, fileName.length() - ".kamelet.yaml".length());
        String type = name.substring(name.lastIndexOf('-') + 1);

        assertThat(doc.get("apiVersion")).isEqualTo("camel.apache.org/v1");
        assertThat(doc.get("kind")).isEqualTo("Kamelet");
        Map<String, Object> metadata = (Map<String, Object>) doc.get("metadata");
        assertThat(metadata.get("name")).as("metadata.name is the file name").isEqualTo(name);
        assertThat(type).isIn("source", "sink", "action");
        assertThat((Map<String, Object>) metadata.get("labels")).containsEntry("camel.apache.org/kamelet.type", type);

        Map<String, Object> spec = (Map<String, Object>) doc.get("spec");
        Map<String, Object> definition = (Map<String, Object>) spec.get("definition");
        assertThat((String) definition.get("title")).endsWith(Character.toUpperCase(type.charAt(0)) + type.substring(1));
        assertThat((String) definition.get("description")).isNotBlank();
        assertThat((List<String>) spec.get("dependencies")).isNotEmpty()
                .allSatisfy(d -> assertThat(d).matches("(camel|mvn|github):.+"));

        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        String templateText = text.substring(text.indexOf("  template:"));
        if (!type.equals("source")) {
            assertThat(((Map<String, Object>) template.get("from")).get("uri")).isEqualTo("kamelet:source");
        }
        if (!type.equals("sink")) {
            assertThat(templateText).contains("kamelet:sink");
        }
        List<String> required = (List<String>) definition.getOrDefault("required", List.of());
        Map<String, Map<String, Object>> properties = (Map<String, Map<String, Object>>) definition.get("properties");
        assertThat(properties.keySet()).containsAll(required);
        properties.forEach((key, p) -> {
            assertThat(p).as(key).containsKeys("title", "description", "type");
            boolean credential = "password".equals(p.get("format"));
            assertThat(credential || p.containsKey("example") || p.containsKey("default"))
                    .as(key + " has an example or a default (credentials need neither)").isTrue();
            boolean optional = templateText.contains("{{?" + key + "}}");
            assertThat(p.containsKey("default") || required.contains(key) || optional)
                    .as(key + " has a default, is required, or is optional ({{?" + key + "}})").isTrue();
            assertThat(templateText).as(key + " is used in the template")
                    .containsAnyOf("{{" + key + "}}", "{{?" + key + "}}");
            boolean secret = key.toLowerCase().matches(".*(key|token|secret|password|jaas).*") && !key.toLowerCase().endsWith("id");
            if (secret || "password".equals(p.get("format"))) {
                assertThat(p.get("format")).as(key + " is a credential").isEqualTo("password");
                assertThat((List<String>) p.get("x-descriptors")).contains("urn:camel:group:credentials");
            }
        });
    }
}

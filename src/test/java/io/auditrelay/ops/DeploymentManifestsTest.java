package io.auditrelay.ops;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of deploy/ without a cluster: the probes hit the health endpoints the relay
 * serves, on its management port; every ConfigMap, Secret and key referenced exists; images, names
 * and labels are consistent; the Camel K Pipe binds Kamelets and properties that exist.
 */
class DeploymentManifestsTest {

    private static final Path BASE = Path.of("deploy/kubernetes/base");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws Exception {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object current = node;
        for (String step : path) {
            current = current instanceof List<?> list ? list.get(Integer.parseInt(step)) : ((Map<String, Object>) current).get(step);
        }
        return (T) current;
    }

    private static Properties properties(Path file) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(file)));
        return properties;
    }

    @Test
    void probes_and_service_use_the_management_port_and_health_paths_the_relay_serves() throws Exception {
        Map<String, Object> deployment = yaml(BASE.resolve("deployment.yaml"));
        Map<String, Object> container = at(deployment, "spec", "template", "spec", "containers", "0");
        int port = Integer.parseInt(properties(BASE.resolve("application.properties")).getProperty("relay.management.port"));
        String defaultPort = properties(Path.of("application.properties")).getProperty("relay.management.port");

        assertThat(port).isEqualTo(Integer.parseInt(defaultPort));
        assertThat((Integer) at(container, "ports", "0", "containerPort")).isEqualTo(port);
        String portName = at(container, "ports", "0", "name");
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/observe/health/live");
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/observe/health/ready");
        assertThat((String) at(container, "livenessProbe", "httpGet", "port")).isEqualTo(portName);
        assertThat((String) at(container, "readinessProbe", "httpGet", "port")).isEqualTo(portName);
        assertThat((Map<String, Object>) at(container, "resources", "requests")).containsKeys("cpu", "memory");
        assertThat((Map<String, Object>) at(container, "resources", "limits")).containsKeys("cpu", "memory");

        Map<String, Object> service = yaml(BASE.resolve("service.yaml"));
        assertThat((Integer) at(service, "spec", "ports", "0", "port")).isEqualTo(port);
        assertThat((String) at(service, "spec", "ports", "0", "targetPort")).isEqualTo(portName);
        assertThat((String) at(service, "metadata", "annotations", "prometheus.io/path")).isEqualTo("/observe/metrics");
        assertThat(Files.readString(Path.of("application.properties")))
                .contains("camel.management.port = {{relay.management.port}}")
                .contains("camel.management.health-check-enabled = true").contains("camel.metrics.enabled = true");
    }

    @Test
    void every_config_map_secret_volume_and_image_referenced_exists() throws Exception {
        Map<String, Object> kustomization = yaml(BASE.resolve("kustomization.yaml"));
        List<String> resources = at(kustomization, "resources");
        for (String resource : resources) {
            assertThat(BASE.resolve(resource)).exists();
        }
        String configMap = at(kustomization, "configMapGenerator", "0", "name");
        List<String> configFiles = at(kustomization, "configMapGenerator", "0", "files");
        configFiles.forEach(f -> assertThat(BASE.resolve(f)).exists());

        Map<String, Object> deployment = yaml(BASE.resolve("deployment.yaml"));
        Map<String, Object> pod = at(deployment, "spec", "template", "spec");
        List<Map<String, Object>> volumes = at(pod, "volumes");
        assertThat(volumes).anySatisfy(v -> assertThat((String) at(v, "configMap", "name")).isEqualTo(configMap));
        String claim = volumes.stream().filter(v -> v.containsKey("persistentVolumeClaim"))
                .map(v -> (String) at(v, "persistentVolumeClaim", "claimName")).findFirst().orElseThrow();
        assertThat((String) at(yaml(BASE.resolve("pvc.yaml")), "metadata", "name")).isEqualTo(claim);
        Map<String, Object> container = at(pod, "containers", "0");
        List<String> mounts = new ArrayList<>();
        ((List<Map<String, Object>>) at(container, "volumeMounts")).forEach(m -> mounts.add((String) m.get("name")));
        assertThat(mounts).containsExactlyInAnyOrderElementsOf(volumes.stream().map(v -> (String) v.get("name")).toList());
        assertThat((String) at(container, "volumeMounts", "0", "mountPath")).isEqualTo("/app/config");
        assertThat(io.auditrelay.AuditRelay.PROPERTIES).contains("file:config/application.properties");
        assertThat((String) at(container, "workingDir")).isEqualTo("/app");

        Map<String, Object> secret = yaml(BASE.resolve("secret.yaml"));
        String secretName = at(secret, "metadata", "name");
        assertThat((String) at(container, "envFrom", "0", "secretRef", "name")).isEqualTo(secretName);
        Map<String, String> keys = at(secret, "stringData");
        assertThat(keys.values()).as("a template, no real secrets").allMatch(String::isEmpty);
        assertThat(keys).containsKey("RELAY_SOURCE_COCKROACHDB_API_KEY");

        assertThat((String) at(container, "image")).isEqualTo(at(kustomization, "images", "0", "name"));

        Map<String, Object> overlay = yaml(Path.of("deploy/kubernetes/overlays/sources/kustomization.yaml"));
        assertThat((String) at(overlay, "configMapGenerator", "0", "name")).isEqualTo(configMap);
        Properties overlayProps = properties(Path.of("deploy/kubernetes/overlays/sources/application.properties"));
        Properties defaults = properties(Path.of("application.properties"));
        assertThat(overlayProps.stringPropertyNames()).as("the overlay sets only properties the relay knows")
                .allSatisfy(k -> assertThat(defaults).containsKey(k));
    }

    @Test
    void the_camel_k_pipe_binds_existing_kamelets_with_their_declared_properties() throws Exception {
        Map<String, Object> pipe = yaml(Path.of("deploy/camel-k/cockroachdb-audit-to-kafka.pipe.yaml"));
        assertThat((String) pipe.get("kind")).isEqualTo("Pipe");
        List<Map<String, Object>> refs = new ArrayList<>();
        refs.add(at(pipe, "spec", "source"));
        refs.addAll(at(pipe, "spec", "steps"));
        refs.add(at(pipe, "spec", "sink"));
        for (Map<String, Object> ref : refs) {
            String name = at(ref, "ref", "name");
            Path kamelet = Path.of("kamelets", name + ".kamelet.yaml");
            assertThat(kamelet).exists();
            Map<String, Object> declared = at(yaml(kamelet), "spec", "definition", "properties");
            Map<String, Object> used = (Map<String, Object>) ref.getOrDefault("properties", Map.of());
            assertThat(declared.keySet()).as(name).containsAll(used.keySet());
            List<String> required = at(yaml(kamelet), "spec", "definition", "required");
            if (required != null) {
                assertThat(used.keySet()).as(name + " required properties").containsAll(required);
            }
        }
        Map<String, String> secretKeys = at(yaml(BASE.resolve("secret.yaml")), "stringData");
        String apiKey = at(pipe, "spec", "source", "properties", "apiKey");
        assertThat(apiKey).isEqualTo("{{secret:audit-relay-secrets/RELAY_SOURCE_COCKROACHDB_API_KEY}}");
        assertThat(secretKeys).containsKey("RELAY_SOURCE_COCKROACHDB_API_KEY");
    }
}

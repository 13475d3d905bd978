package io.auditrelay.source.airkit;

import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values holding '+', '/', ':' and '=' (an AWS secret key, an endpoint URL, a prefix, a folder) reach the endpoint as
 * written, from the jar's route file and from the Kamelet, and the keys are not in the endpoint's logged URI.
 */
class AirkitEndpointTest {

    private static final String SECRET = "wJalr+XUtnFEMI/K7MDENG/bPx+RfiCY=EXAMPLEKEY";

    @TempDir
    Path dir;

    @Test
    void the_route_file_passes_keys_urls_and_paths_intact() {
        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.source.airkit.enabled", "true")
                .with("relay.source.airkit.bucket", "audit-bucket")
                .with("relay.source.airkit.prefix", "logs/2024+eu/")
                .with("relay.source.airkit.endpoint", "http://127.0.0.1:1/s3+proxy")
                .with("relay.source.airkit.access-key", "AKIA+EXAMPLE")
                .with("relay.source.airkit.secret-key", SECRET)
                .with("relay.state.dir", dir.resolve("state+1").toString())
                .with("relay.cluster.lock-interval-ms", "100");
        CamelContext context = relay.start();
        try {
            AirkitEndpoint endpoint = endpoint(context);
            assertThat(endpoint.getSecretKey()).isEqualTo(SECRET);
            assertThat(endpoint.getAccessKey()).isEqualTo("AKIA+EXAMPLE");
            assertThat(endpoint.getPrefix()).isEqualTo("logs/2024+eu/");
            assertThat(endpoint.getEndpoint()).isEqualTo("http://127.0.0.1:1/s3+proxy");
            assertThat(endpoint.getStateDir()).isEqualTo(dir.resolve("state+1").toString());
            assertThat(endpoint.toString()).doesNotContain(SECRET).doesNotContain("AKIA+EXAMPLE");
        } finally {
            relay.stop();
        }
    }

    @Test
    void the_kamelet_passes_keys_urls_and_paths_intact() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("camel.kamelet.airkit-audit-source.bucketName", "audit-bucket");
        properties.setProperty("camel.kamelet.airkit-audit-source.region", "eu-west-1");
        properties.setProperty("camel.kamelet.airkit-audit-source.accessKey", "AKIA+EXAMPLE");
        properties.setProperty("camel.kamelet.airkit-audit-source.secretKey", SECRET);
        properties.setProperty("camel.kamelet.airkit-audit-source.prefix", "logs/2024+eu/");
        properties.setProperty("camel.kamelet.airkit-audit-source.stateDir", dir.resolve("state+1").toString());
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(properties);
            context.setAutoStartup(false); // the endpoint is made, nothing connects
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:airkit-audit-source").to("mock:out");
                }
            });
            context.start();
            AirkitEndpoint endpoint = endpoint(context);
            assertThat(endpoint.getSecretKey()).isEqualTo(SECRET);
            assertThat(endpoint.getAccessKey()).isEqualTo("AKIA+EXAMPLE");
            assertThat(endpoint.getPrefix()).isEqualTo("logs/2024+eu/");
            assertThat(endpoint.getStateDir()).isEqualTo(dir.resolve("state+1").toString());
        }
    }

    private static AirkitEndpoint endpoint(CamelContext context) {
        return context.getEndpoints().stream().filter(AirkitEndpoint.class::isInstance).map(AirkitEndpoint.class::cast)
                .findFirst().orElseThrow();
    }
}

package io.auditrelay.source.astra;

import io.auditrelay.testing.Output;
import io.auditrelay.testing.PulsarServer;
import io.auditrelay.testing.RelayRunner;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Astra source against a real Pulsar standalone that requires token authentication, as Astra Streaming does. */
class AstraPulsarTokenAuthTest {

    private static PulsarServer pulsar;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        pulsar = new PulsarServer().withTokenAuth();
        pulsar.start();
    }

    @AfterAll
    static void stop() {
        pulsar.stop();
    }

    private RelayRunner relay(Path in, String topic, String token) {
        return RelayRunner.inDir(in)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "csv")
                .with("relay.source.astra.enabled", "true")
                .with("relay.source.astra.service-url", pulsar.serviceUrl())
                .with("relay.source.astra.topic", topic)
                .with("relay.source.astra.auth", "token")
                .with("relay.source.astra.token", token)
                .with("relay.source.astra.idle-timeout", "1500");
    }

    @Test
    void the_token_reaches_the_broker_and_messages_flow_and_a_wrong_token_is_refused() throws Exception {
        String topic = "persistent://public/default/astra-auth-" + UUID.randomUUID();
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .authentication(AuthenticationFactory.token(pulsar.superUserToken())).build();
             Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create()) {
            producer.send(AstraPulsarSourceTest.event("u-1", "db-1"));
            producer.send(AstraPulsarSourceTest.event("u-2", "db-2"));
        }

        RelayRunner relay = relay(dir, topic, pulsar.superUserToken());
        relay.runOnce(Duration.ofSeconds(90));
        assertThat(Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,"))).hasSize(2);
        assertThat(Output.lines(relay.csvDir())).noneMatch(l -> l.contains(pulsar.superUserToken()));

        RelayRunner refused = relay(dir.resolve("refused"), topic, "not-a-valid-token");
        assertThatThrownBy(() -> refused.runOnce(Duration.ofSeconds(90))).isInstanceOf(AssertionError.class);
        assertThat(Output.lines(refused.csvDir())).isEmpty();
    }
}

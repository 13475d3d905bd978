package io.auditrelay.source.astra;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.PulsarServer;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger consumerLog = (Logger) LoggerFactory.getLogger(AstraConsumer.class);
        consumerLog.addAppender(logs);
        try {
            // fails by itself with the reason within a bound, instead of waiting for a subscription that never comes (a
            // relay still running after the bound fails this with "did not stop by itself")
            long started = System.nanoTime();
            assertThatThrownBy(() -> refused.runOnce(Duration.ofSeconds(45))).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("the relay failed").hasStackTraceContaining("exited with code 1");
            System.out.printf("the refused relay ended after %d ms%n", (System.nanoTime() - started) / 1_000_000);
        } finally {
            consumerLog.detachAppender(logs);
        }
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.ERROR).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("AuthenticationException").contains(topic))
                .allSatisfy(m -> assertThat(m).doesNotContain("not-a-valid-token"));
        assertThat(Output.lines(refused.csvDir())).isEmpty();
    }

    @Test
    void a_long_running_relay_with_a_refused_token_stays_up_and_reports_the_source_down_without_the_token() throws Exception {
        String topic = "persistent://public/default/astra-auth-" + UUID.randomUUID();
        String wrong = pulsar.token("nobody").replace('.', '_') + "x";
        RelayRunner relay = relay(dir, topic, wrong);
        CamelContext context = relay.start();
        try {
            RelayRunner.await(Duration.ofSeconds(30), () -> readiness(context).getState() == HealthCheck.State.DOWN);
            HealthCheck.Result health = readiness(context);
            assertThat(String.valueOf(health.getDetails().get("reason"))).contains("AuthenticationException")
                    .contains(topic).doesNotContain(wrong);
            assertThat(health.getMessage().orElse("")).doesNotContain(wrong);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + relay.managementPort() + "/observe/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains(AstraPulsarHealthCheck.ID).doesNotContain(wrong);
            assertThat(context.isStarted()).isTrue();
        } finally {
            relay.stop();
        }
    }

    private static HealthCheck.Result readiness(CamelContext context) {
        return HealthCheckHelper.invoke(context).stream()
                .filter(r -> r.getCheck().getId().equals(AstraPulsarHealthCheck.ID)).findFirst().orElseThrow();
    }
}

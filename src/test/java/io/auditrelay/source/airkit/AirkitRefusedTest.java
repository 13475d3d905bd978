package io.auditrelay.source.airkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bucket the source may not read: the readiness check says why (never the key), and nothing is emitted. */
class AirkitRefusedTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        logs.start();
        root().addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root().detachAppender(logs);
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private static Optional<HealthCheck.Result> check(CamelContext context) {
        return HealthCheckHelper.invokeReadiness(context).stream()
                .filter(r -> r.getCheck().getId().equals(AirkitHealthCheck.ID)).findFirst();
    }

    @Test
    @Timeout(60)
    void refused_credentials_make_the_source_not_ready_with_the_reason() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("audit-airkit:refused-bucket?endpoint=" + s3.httpUrl() + "&accessKey=" + s3.accessKey()
                            + "&secretKey=not-the-secret-key&pollInterval=200&stateDir=" + dir.resolve("state"))
                            .to("mock:never");
                }
            });
            context.start();
            RelayRunner.await(Duration.ofSeconds(30), () -> check(context).map(r -> r.getState() == HealthCheck.State.DOWN).orElse(false));
            HealthCheck.Result result = check(context).orElseThrow();
            assertThat(result.getMessage()).get().asString().contains("403").doesNotContain("not-the-secret-key");
            assertThat(result.getDetails()).containsEntry("bucket", "refused-bucket");
        }
    }

    @Test
    @Timeout(120)
    void a_relay_once_run_ends_with_the_failure_when_the_credentials_are_refused() {
        S3ProxyServer s3 = S3ProxyServer.shared();
        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "csv")
                .with("relay.source.airkit.enabled", "true")
                .with("relay.source.airkit.bucket", "refused-bucket")
                .with("relay.source.airkit.endpoint", s3.httpUrl())
                .with("relay.source.airkit.access-key", s3.accessKey())
                .with("relay.source.airkit.secret-key", "not-the-secret-key")
                .with("relay.source.airkit.poll-interval", "200");
        assertThatThrownBy(relay::runOnce).hasMessageContaining("the relay failed")
                .hasStackTraceContaining("exited with code 1");
        assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("relay.once: source airkit-s3 failed") && m.contains("403"));
        assertThat(logs.list).map(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("not-the-secret-key"));
    }
}

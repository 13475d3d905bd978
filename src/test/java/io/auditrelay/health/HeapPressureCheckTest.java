package io.auditrelay.health;

import io.auditrelay.testing.RelayRunner;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.MemoryUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeapPressureCheckTest {

    @TempDir
    Path dir;

    private static HealthCheck.Result call(HeapPressureCheck check) {
        check.setCamelContext(new DefaultCamelContext());
        return check.call(Map.of());
    }

    @Test
    void down_with_the_occupancy_when_the_old_generation_stays_above_the_threshold_after_a_collection() {
        MemoryUsage full = new MemoryUsage(0, 95L << 20, 100L << 20, 100L << 20);
        HealthCheck.Result result = call(new HeapPressureCheck(0.9, () -> Optional.of(full)));

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValue("heap 95% full after a garbage collection (95 of 100 MiB, threshold 90%)");
        assertThat(check(0.9, new MemoryUsage(0, 50L << 20, 100L << 20, 100L << 20))).isEqualTo(HealthCheck.State.UP);
        assertThat(check(0.9, null)).as("no collection reported yet").isEqualTo(HealthCheck.State.UP);
        assertThat(new HeapPressureCheck(0.5).isLiveness()).as("readiness only").isFalse();
    }

    private static HealthCheck.State check(double threshold, MemoryUsage usage) {
        return call(new HeapPressureCheck(threshold, () -> Optional.ofNullable(usage))).getState();
    }

    @Test
    void a_threshold_outside_zero_to_one_is_refused() {
        assertThatThrownBy(() -> new HeapPressureCheck(0)).hasMessageContaining("relay.health.heap-threshold");
        assertThatThrownBy(() -> new HeapPressureCheck(1.5)).hasMessageContaining("(0, 1]");
    }

    @Test
    void the_running_relay_reports_a_full_heap_on_its_readiness_endpoint() throws Exception {
        // a threshold below what any collection leaves behind: the relay's own heap counts as full
        RelayRunner relay = RelayRunner.inDir(dir).with("relay.health.heap-threshold", "0.0000001");
        relay.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.managementPort()
                    + "/observe/health/ready")).timeout(Duration.ofSeconds(10)).build();
            RelayRunner.await(Duration.ofSeconds(30), () -> {
                System.gc(); // a collection of the old generation, so its usage after collection is reported
                try {
                    HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
                    return response.statusCode() == 503 && response.body().contains("full after a garbage collection");
                } catch (java.io.IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
        } finally {
            relay.stop();
        }
    }
}

package io.auditrelay.sink.webhook;

import io.auditrelay.event.AuditEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookBatchTest {

    private static AuditEvent event(int i) {
        return new AuditEvent("astra:e" + i, "2024-05-02T09:15:32.481Z", "2024-05-02T09:15:33Z", "astra", "DB_CREATED",
                null, null, null, null, null, null);
    }

    private static WebhookSink sink(WebhookReceiver receiver, int batchSize) {
        WebhookSink sink = new WebhookSink(new WebhookSink.Options(receiver.url(), WebhookSinkTest.SECRET, batchSize,
                Duration.ofMillis(300), Duration.ofSeconds(5), 3, Duration.ofMillis(100), Duration.ofMillis(200), Map.of()));
        sink.open();
        return sink;
    }

    @Test
    @Timeout(60)
    void concurrent_accepts_are_posted_as_signed_json_arrays_and_each_returns_after_its_batch_got_a_2xx() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhookSinkTest.SECRET)) {
            WebhookSink sink = sink(receiver, 3);
            ExecutorService pool = Executors.newFixedThreadPool(7);
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                int n = i;
                calls.add(pool.submit(() -> {
                    sink.accept(event(n));
                    // returned: the receiver already has it
                    assertThat(receiver.delivered).contains("astra:e" + n);
                    return null;
                }));
            }
            for (Future<?> call : calls) {
                call.get();
            }
            pool.shutdown();
            assertThat(receiver.delivered).hasSize(7).doesNotHaveDuplicates();
            assertThat(receiver.requests).allSatisfy(r -> {
                assertThat(r.signatureValid()).isTrue();
                assertThat(r.body()).startsWith("[");
                assertThat(r.eventIds()).hasSizeLessThanOrEqualTo(3);
            });
            assertThat(receiver.requests).anySatisfy(r -> {
                assertThat(r.eventIds()).hasSizeGreaterThan(1);
                assertThat(r.id()).startsWith("batch_");
            });
        }
    }

    @Test
    @Timeout(60)
    void a_lone_event_is_posted_after_the_batch_interval() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhookSinkTest.SECRET)) {
            WebhookSink sink = sink(receiver, 10);
            sink.accept(event(1));
            assertThat(receiver.delivered).containsExactly("astra:e1");
            assertThat(receiver.requests).singleElement().satisfies(r -> assertThat(r.body()).startsWith("["));
        }
    }

    @Test
    void signatures_match_the_standard_webhooks_reference_vector() {
        // from the Standard Webhooks reference libraries' tests
        WebhookSigner signer = new WebhookSigner("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertThat(signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assertThat(signer.toString()).doesNotContain("MfKQ9r8");
    }
}

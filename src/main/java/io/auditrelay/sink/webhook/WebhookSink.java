package io.auditrelay.sink.webhook;

import io.auditrelay.retry.Backoff;
import io.auditrelay.retry.RetryAfter;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Delivery;
import org.apache.camel.Exchange;
import io.auditrelay.mapper.Json;
import io.auditrelay.sink.EventFormat;
import io.auditrelay.event.EventSink;
import io.auditrelay.event.SinkDeliveryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs canonical events to an HTTP endpoint, signed per Standard Webhooks (see {@link WebhookSigner} and
 * docs/webhook-sink.md).
 *
 * <p><b>Retries.</b> 2xx = delivered. 408, 429 (honoring {@code Retry-After}), 5xx, timeouts and connection errors
 * are retried with exponential backoff and jitter, up to {@code relay.sink.webhook.max-retries}; any other status is
 * not retried. Both end in a non-retryable {@link SinkDeliveryException} carrying the last status and response
 * body, so the shared sink error handler dead-letters the event at once instead of retrying again. This is done
 * with java.net.http rather than camel-http because Camel's redelivery policy can't express it: its delays come
 * from a fixed schedule (no per-response {@code Retry-After}), it would retry a 400 as readily as a 503 unless
 * every status class got its own onException, and the signature must be recomputed per attempt (new timestamp).
 *
 * <p><b>Batching vs. the synchronous sink contract.</b> {@code accept()} returns only when its events were posted
 * and got a 2xx (or throws). In the relay the spine hands the sink the events of a chunk in groups of
 * {@code batch-size} ({@link #groupSize()}): each group is one POST (a JSON array when {@code batch-size} &gt; 1), so
 * a chunk smaller than the batch is posted at once, never held back. An event sent on its own ({@link #accept(AuditEvent)},
 * as the Kamelet does) with {@code batch-size} &gt; 1 joins the open batch and blocks: the batch is posted by the
 * caller that fills it, or by the caller that opened it once {@code batch-interval} passed, and all its events are
 * acked (or fail) together after that one POST.
 *
 * <p>The {@code webhook-id} is the event id for a single event, or {@code batch_<sha256 of the ids>} for a batch:
 * stable across retries so receivers can dedupe. The secret is never logged.
 */
public class WebhookSink implements EventSink {

    public static final String NAME = "webhook";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);
    private static final long MAX_RETRY_AFTER_MS = 300_000;

    /** The sink's settings; {@link #toString()} hides the secret. */
    public record Options(URI url, String secret, int batchSize, Duration batchInterval, Duration timeout, int maxRetries,
                          Duration backoff, Duration maxBackoff, Map<String, String> headers) {
        @Override
        public String toString() {
            return "Options[url=" + url + ", secret=***, batchSize=" + batchSize + ", headers=" + headers.keySet() + "]";
        }
    }

    private final Options options;
    private volatile EventFormat format = EventFormat.CANONICAL;
    private volatile WebhookSigner signer;
    private volatile HttpClient client;
    private final Object lock = new Object();
    private Batch open;

    /** Posts events in this format (set before the sink opens). */
    public WebhookSink format(EventFormat eventFormat) {
        this.format = eventFormat;
        return this;
    }

    public WebhookSink(Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Checks the settings and creates the HTTP client; called when the sink's endpoint starts.
     */
    public synchronized void open() {
        if (options.url() == null) {
            throw new IllegalArgumentException("relay.sink.webhook.url is not set");
        }
        signer = new WebhookSigner(options.secret());
        client = HttpClient.newBuilder().connectTimeout(options.timeout()).build();
    }

    /** The spine hands the sink groups of up to {@code batch-size} events of a chunk: one POST each. */
    @Override
    public int groupSize() {
        return Math.max(1, options.batchSize());
    }

    @Override
    public void acceptAll(List<Delivery> group, Exchange chunk) throws Exception {
        if (client == null) {
            throw new IllegalStateException("the webhook sink is not enabled (add webhook to relay.sinks)");
        }
        post(group.stream().map(Delivery::event).toList());
    }

    /** One event on its own (Kamelets): with batch-size &gt; 1 it joins the open batch, see above. */
    @Override
    public void accept(AuditEvent event) throws Exception {
        if (client == null) {
            throw new IllegalStateException("the webhook sink is not enabled (add webhook to relay.sinks)");
        }
        if (options.batchSize() <= 1) {
            post(List.of(event));
            return;
        }
        Batch batch;
        boolean opener;
        boolean full;
        synchronized (lock) {
            opener = open == null;
            if (opener) {
                open = new Batch();
            }
            batch = open;
            batch.events.add(event);
            full = batch.events.size() >= options.batchSize();
            if (full) {
                open = null;
            }
        }
        if (full) {
            send(batch);
        } else if (opener) {
            try {
                batch.done.get(options.batchInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                boolean claimed;
                synchronized (lock) {
                    claimed = open == batch;
                    if (claimed) {
                        open = null;
                    }
                }
                if (claimed) {
                    send(batch);
                }
            } catch (ExecutionException e) {
                // reported below
            }
        }
        try {
            batch.done.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private void send(Batch batch) {
        try {
            post(batch.events);
            batch.done.complete(null);
        } catch (Exception e) {
            batch.done.completeExceptionally(e);
        }
    }

    /** One POST (a single event, or a JSON array with batch-size &gt; 1), retried as described above. */
    void post(List<AuditEvent> events) throws SinkDeliveryException, InterruptedException {
        String body;
        try {
            body = options.batchSize() <= 1 ? format.json(events.get(0))
                    : Json.MAPPER.writeValueAsString(events.stream().map(format::tree).toList());
        } catch (IOException e) {
            throw new SinkDeliveryException("cannot serialize the event: " + e.getMessage(), false, null, null, e);
        }
        String id = messageId(events);
        Integer status = null;
        String response = null;
        String problem = null;
        for (int attempt = 0; ; attempt++) {
            long delay;
            long timestamp = System.currentTimeMillis() / 1000;
            HttpRequest.Builder request = HttpRequest.newBuilder(options.url())
                    .timeout(options.timeout())
                    .header("content-type", "application/json")
                    .header("webhook-id", id)
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", signer.sign(id, timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            options.headers().forEach(request::header);
            try {
                HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                status = answer.statusCode();
                response = answer.body();
                if (status / 100 == 2) {
                    return;
                }
                problem = "HTTP " + status;
                if (!(status == 408 || status == 429 || status / 100 == 5)) {
                    throw new SinkDeliveryException("webhook refused " + id + ": HTTP " + status + " " + abbreviate(response),
                            false, status, response, null);
                }
                delay = retryAfter(answer).orElse(backoff(attempt));
            } catch (IOException e) {
                status = null;
                response = null;
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                delay = backoff(attempt);
            }
            if (attempt >= options.maxRetries()) {
                throw new SinkDeliveryException("webhook gave up on " + id + " after " + (attempt + 1) + " attempts: "
                        + problem + (response == null ? "" : " " + abbreviate(response)), false, status, response, null);
            }
            LOG.warn("Webhook {} failed for {} ({}), retry {} of {} in {} ms", options.url(), id, problem,
                    attempt + 1, options.maxRetries(), delay);
            Thread.sleep(delay);
        }
    }

    /** Exponential backoff with jitter (the relay's one schedule), in ms. */
    private long backoff(int attempt) {
        return new Backoff(options.backoff(), options.maxBackoff()).delay(attempt + 1).toMillis();
    }

    private static java.util.Optional<Long> retryAfter(HttpResponse<?> answer) {
        return RetryAfter.parse(answer.headers().firstValue("retry-after").orElse(null), java.time.Instant.now())
                .map(Duration::toMillis).map(ms -> Math.min(ms, MAX_RETRY_AFTER_MS));
    }

    /** Stable across retries: the event id, or a hash of the ids of a batch. */
    static String messageId(List<AuditEvent> events) {
        if (events.size() == 1) {
            return events.get(0).id();
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (AuditEvent e : events) {
                digest.update(e.id().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) '\n');
            }
            return "batch_" + HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    private static final class Batch {
        final List<AuditEvent> events = new ArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
    }

    /** For tests and logs: never includes the secret. */
    @Override
    public String toString() {
        return "WebhookSink[" + options.url() + "]";
    }

    Map<String, String> headers() {
        return options.headers();
    }

    Duration timeout() {
        return options.timeout();
    }
}

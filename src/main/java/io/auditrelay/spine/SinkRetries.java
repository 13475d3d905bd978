package io.auditrelay.spine;

import io.auditrelay.event.Headers;
import io.auditrelay.settings.Settings;
import io.auditrelay.event.SinkDeliveryException;
import org.apache.camel.Exchange;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The retry decision of the sinks: {@link #retryable} is what every sink endpoint's producer asks (its budget is the
 * endpoint's {@code maxRetries}; the relay sets it from {@code relay.sink.<name>.max-retries}, defaulting to
 * {@code relay.sink.max-retries}). A {@link SinkDeliveryException} that is not retryable (e.g. an HTTP 400, or a sink
 * that already spent its own retry budget) goes to the dead-letter store at once. {@link #retry(Exchange)} answers the
 * same by the sink in header relaySink and the properties, for a route's {@code retryWhile}.
 */
public class SinkRetries {

    private final Settings settings;
    private final Map<String, Integer> budgets = new ConcurrentHashMap<>();

    public SinkRetries(Settings settings) {
        this.settings = settings;
    }

    public int maxRetries(String sink) {
        return budgets.computeIfAbsent(sink == null ? "" : sink, s -> {
            int shared = settings.integer("relay.sink.max-retries", 3);
            return s.isEmpty() ? shared : settings.integer("relay.sink." + s + ".max-retries", shared);
        });
    }

    /** Called by the error handler with the redelivery counter already set to the attempt about to be made (1, 2, ...). */
    public boolean retry(Exchange exchange) {
        Throwable error = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        return retryable(error, attempt, maxRetries(exchange.getMessage().getHeader(Headers.SINK, String.class)));
    }

    /**
     * Whether retry number {@code attempt} (1, 2, ...) may be made after {@code error} with a budget of {@code max}
     * retries (negative: no limit); a final {@link SinkDeliveryException} is never retried.
     */
    public static boolean retryable(Throwable error, int attempt, int max) {
        if (SinkDeliveryException.isFinal(error)) {
            return false;
        }
        return max < 0 || attempt <= max;
    }
}

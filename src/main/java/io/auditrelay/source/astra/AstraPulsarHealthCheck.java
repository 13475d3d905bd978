package io.auditrelay.source.astra;

import io.auditrelay.source.SourceReadinessCheck;
import org.apache.pulsar.client.api.PulsarClient;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Readiness of the Astra source ({@code astra-source}): asks the broker for each topic's metadata with the
 * relay's own client, so a refused token, an unknown topic or an unreachable broker shows as DOWN with the
 * reason (never the token). Registered by the {@code audit-astra} consumer while it runs; the consumer also runs it
 * before subscribing, so a {@code relay.once} run fails with the reason instead of waiting on a subscription that
 * never came.
 */
public class AstraPulsarHealthCheck extends SourceReadinessCheck {

    public static final String ID = "astra-source";

    private final PulsarClient client;
    private final List<String> topics;

    public AstraPulsarHealthCheck(PulsarClient client, List<String> topics) {
        super(ID, Map.of("topics", String.join(",", topics)));
        this.client = client;
        this.topics = List.copyOf(topics);
    }

    /** Null when every topic answers, else why not. */
    @Override
    public String problem() {
        for (String topic : topics) {
            try {
                client.getPartitionsForTopic(topic).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                return "Astra Streaming refused or did not answer for topic " + topic + ": "
                        + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")");
            }
        }
        return null;
    }
}

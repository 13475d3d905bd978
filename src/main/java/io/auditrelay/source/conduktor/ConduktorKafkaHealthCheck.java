package io.auditrelay.source.conduktor;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.List;
import java.util.Map;

/**
 * Readiness of the Conduktor source ({@code conduktor-source}): DOWN with the reason while polling fails
 * (authentication, authorization, an unknown topic the broker refuses) or when the consumer loop has ended.
 */
public class ConduktorKafkaHealthCheck extends AbstractHealthCheck {

    public static final String ID = "conduktor-source";

    private final ConduktorKafkaSource source;
    private final List<String> topics;

    public ConduktorKafkaHealthCheck(ConduktorKafkaSource source, List<String> topics) {
        super("relay", ID);
        this.source = source;
        this.topics = List.copyOf(topics);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String problem = source.problem();
        builder.detail("topics", String.join(",", topics));
        if (problem == null) {
            builder.up();
        } else {
            builder.detail("reason", problem);
            builder.message(problem);
            builder.down();
        }
    }
}

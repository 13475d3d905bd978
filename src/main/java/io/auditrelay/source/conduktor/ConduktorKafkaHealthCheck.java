package io.auditrelay.source.conduktor;

import io.auditrelay.source.SourceReadinessCheck;

import java.util.List;
import java.util.Map;

/**
 * Readiness of the Conduktor source ({@code conduktor-source}): DOWN with the reason while polling fails
 * (authentication, authorization, an invalid topic) or when the consumer loop has ended.
 */
public class ConduktorKafkaHealthCheck extends SourceReadinessCheck {

    public static final String ID = "conduktor-source";

    private final ConduktorKafkaSource source;

    public ConduktorKafkaHealthCheck(ConduktorKafkaSource source, List<String> topics) {
        super(ID, Map.of("topics", String.join(",", topics)));
        this.source = source;
    }

    @Override
    public String problem() {
        return source.problem();
    }
}

package io.auditrelay.source.conduktor;

import io.auditrelay.source.SourceReadinessCheck;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Readiness of the Conduktor source ({@code conduktor-source}): DOWN with the reason while polling fails
 * (authentication, authorization, an invalid topic) or when the consumer loop has ended.
 */
public class ConduktorKafkaHealthCheck extends SourceReadinessCheck {

    public static final String ID = "conduktor-source";

    private final Supplier<String> problem;

    public ConduktorKafkaHealthCheck(Supplier<String> problem, List<String> topics) {
        super(ID, Map.of("topics", String.join(",", topics)));
        this.problem = problem;
    }

    @Override
    public String problem() {
        return problem.get();
    }
}

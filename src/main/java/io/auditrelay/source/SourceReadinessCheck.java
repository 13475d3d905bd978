package io.auditrelay.source;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * A source's readiness check ({@code /observe/health/ready}): DOWN with the reason in the message and the
 * {@code reason} detail while {@link #problem()} names one. Readiness only: restarting the process does not cure a
 * refused credential or an unknown topic. The reason never holds a secret.
 */
public abstract class SourceReadinessCheck extends AbstractHealthCheck {

    private final Map<String, Object> details;

    protected SourceReadinessCheck(String id, Map<String, Object> details) {
        super("relay", id);
        this.details = Map.copyOf(details);
    }

    /** Why the source cannot read now, or null when it can. */
    public abstract String problem();

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String problem = problem();
        details.forEach(builder::detail);
        if (problem == null) {
            builder.up();
        } else {
            builder.detail("reason", problem);
            builder.message(problem);
            builder.down();
        }
    }
}

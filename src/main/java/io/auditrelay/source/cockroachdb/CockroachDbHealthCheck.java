package io.auditrelay.source.cockroachdb;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Health of the CockroachDB Cloud source ({@code cockroachdb-source}): DOWN while the API refuses the
 * key or the request, with the reason in the details (never the key). A readiness check only: a
 * rejected key is not cured by restarting the process.
 */
public class CockroachDbHealthCheck extends AbstractHealthCheck {

    public static final String ID = "cockroachdb-source";

    private final CockroachDbPoller poller;

    public CockroachDbHealthCheck(CockroachDbPoller poller) {
        super("relay", ID);
        this.poller = poller;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("reason", poller.reason());
        if (poller.isUp()) {
            builder.up();
        } else {
            builder.message(poller.reason());
            builder.down();
        }
    }
}

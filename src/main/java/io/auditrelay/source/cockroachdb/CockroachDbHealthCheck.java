package io.auditrelay.source.cockroachdb;

import io.auditrelay.source.SourceReadinessCheck;

import java.util.Map;

/**
 * Health of a CockroachDB Cloud source ({@code cockroachdb-source} for the default name): DOWN while the API refuses
 * the key or the request, with the reason in the details (never the key). A readiness check only: a rejected key is
 * not cured by restarting the process. Registered by {@link CockroachDbConsumer} while it runs.
 */
public class CockroachDbHealthCheck extends SourceReadinessCheck {

    public static final String ID = "cockroachdb-source";

    private final CockroachDbPoller poller;

    public CockroachDbHealthCheck(CockroachDbPoller poller) {
        this(ID, poller);
    }

    public CockroachDbHealthCheck(String id, CockroachDbPoller poller) {
        super(id, Map.of());
        this.poller = poller;
    }

    @Override
    public String problem() {
        return poller.isUp() ? null : poller.reason();
    }
}

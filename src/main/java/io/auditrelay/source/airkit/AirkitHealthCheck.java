package io.auditrelay.source.airkit;

import io.auditrelay.source.SourceReadinessCheck;

import java.util.Map;

/**
 * Readiness of the Airkit bucket source ({@code airkit-source}): DOWN while S3 refuses the credentials, the identity
 * may not list or read the bucket, or the bucket does not exist, with the reason (never a key) in the details.
 */
class AirkitHealthCheck extends SourceReadinessCheck {

    static final String ID = "airkit-source";

    private final AirkitConsumer consumer;

    AirkitHealthCheck(AirkitConsumer consumer, String bucket) {
        super(ID, Map.of("bucket", bucket));
        this.consumer = consumer;
    }

    @Override
    public String problem() {
        return consumer.problem();
    }
}

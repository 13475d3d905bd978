package io.auditrelay.config;

import io.auditrelay.settings.Settings;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The cluster service behind the {@code master:} endpoints of the polling sources (CockroachDB API,
 * Airkit bucket), so that only one replica polls at a time: a file lock on the state volume
 * ({@code relay.cluster=file}, the default) or a Kubernetes Lease ({@code relay.cluster=kubernetes}).
 * Kafka and Pulsar sources scale out by themselves (consumer group, Failover subscription).
 */
public final class ClusterServices {

    private ClusterServices() {
    }

    public static CamelClusterService create(Settings settings, Path stateDir) {
        String kind = settings.get("relay.cluster", "file");
        long interval = settings.integer("relay.cluster.lock-interval-ms", 5000);
        switch (kind) {
            case "file" -> {
                FileLockClusterService service = new FileLockClusterService();
                service.setId("relay-file-lock");
                service.setRoot(stateDir.resolve("cluster").toAbsolutePath().toString());
                service.setAcquireLockDelay(settings.integer("relay.cluster.lock-delay-ms", 500), TimeUnit.MILLISECONDS);
                service.setAcquireLockInterval(interval, TimeUnit.MILLISECONDS);
                return service;
            }
            case "kubernetes" -> {
                KubernetesClusterService service = new KubernetesClusterService();
                service.setId("relay-kubernetes-lease");
                service.setLeaseResourceType(LeaseResourceType.Lease);
                service.setKubernetesResourceName(settings.get("relay.cluster.lease-name", "audit-relay"));
                String namespace = settings.optional("relay.cluster.namespace");
                if (namespace != null) {
                    service.setKubernetesNamespace(namespace);
                }
                String pod = System.getenv("HOSTNAME");
                if (pod != null) {
                    service.setPodName(pod);
                }
                service.setLeaseDurationMillis(settings.integer("relay.cluster.lease-duration-ms", 15000));
                service.setRenewDeadlineMillis(settings.integer("relay.cluster.renew-deadline-ms", 10000));
                service.setRetryPeriodMillis(interval / 2);
                return service;
            }
            default -> throw new IllegalArgumentException("relay.cluster must be 'file' or 'kubernetes', not '" + kind + "'");
        }
    }
}

package io.auditrelay.config;

import io.auditrelay.settings.Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Refuses to start a relay whose management port (health and metrics) another process holds. Camel's management
 * server only logs a failed bind and the context starts without it (camel-platform-http-vertx 4.17), so a second
 * relay on a host would run with no health or metrics of its own while its probes reached the first one.
 */
final class ManagementPort {

    private ManagementPort() {
    }

    /** Throws when {@code camel.management.enabled} and its port cannot be bound. */
    static void checkFree(Settings settings) {
        if (!settings.bool("camel.management.enabled", false)) {
            return;
        }
        int port = settings.integer("camel.management.port", 9876);
        String host = settings.get("camel.management.host", "0.0.0.0");
        if (port <= 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the management server binds: a port left in TIME_WAIT is free
            socket.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw new IllegalStateException("The management port " + host + ":" + port + " (relay.management.port) is in"
                    + " use by another process, perhaps another relay on this host: stop that one, or give this one a"
                    + " port of its own (relay.management.port)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the management port " + host + ":" + port, e);
        }
    }
}

package io.auditrelay.testing;

import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.Main;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs the real relay (camel-main with the project's application.properties and YAML routes) inside
 * the test JVM, with properties overridden, so tests exercise exactly what {@code java -jar} runs.
 *
 * <pre>
 * RelayRunner relay = RelayRunner.inDir(tempDir).with("relay.sinks", "csv");
 * relay.runOnce();                    // relay.once=true, returns when the relay stopped by itself
 * relay.start(); ...; relay.stop();   // long-running, stop explicitly
 * </pre>
 */
public final class RelayRunner {

    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, Object> beans = new LinkedHashMap<>();
    private final Path dir;
    private Main main;
    private Thread thread;
    private volatile Throwable failure;

    private RelayRunner(Path dir) {
        this.dir = dir;
        properties.put("relay.state.dir", dir.resolve("state").toString());
        properties.put("relay.inbox.dir", dir.resolve("inbox").toString());
        properties.put("relay.dlq.dir", dir.resolve("dlq").toString());
        properties.put("relay.sink.csv.dir", dir.resolve("out/csv").toString());
        properties.put("relay.sink.ndjson.dir", dir.resolve("out/ndjson").toString());
        properties.put("relay.inbox.poll-interval", "200");
        properties.put("relay.sink.retry-delay", "50");
        properties.put("relay.progress-interval", "60000");
        properties.put("relay.management.port", String.valueOf(freePort()));
    }

    /** A free loopback port. */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The management port (metrics and health). */
    public int managementPort() {
        return Integer.parseInt(properties.get("relay.management.port"));
    }

    /** A relay whose state, inbox, dead letters and file sinks all live under {@code dir}. */
    public static RelayRunner inDir(Path dir) {
        return new RelayRunner(dir);
    }

    public RelayRunner with(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** Binds a bean into the relay's registry, as a user's own configuration class would (e.g. for a route file's step). */
    public RelayRunner bind(String name, Object bean) {
        beans.put(name, bean);
        return this;
    }

    /** The properties this relay runs with (for a {@link RelayProcess} sharing its folders). */
    public Map<String, String> properties() {
        return new LinkedHashMap<>(properties);
    }

    public Path dir() {
        return dir;
    }

    public Path inbox(String vendor) {
        return Path.of(properties.get("relay.inbox.dir")).resolve(vendor);
    }

    public Path csvDir() {
        return Path.of(properties.get("relay.sink.csv.dir"));
    }

    public Path ndjsonDir() {
        return Path.of(properties.get("relay.sink.ndjson.dir"));
    }

    public Path dlqFile() {
        return Path.of(properties.get("relay.dlq.dir")).resolve("dead-letters.jsonl");
    }

    /** Copies the project's {@code examples/inbox} into this relay's inbox. */
    public void copyExamplesIntoInbox() {
        try {
            io.auditrelay.source.InboxSeeder.copyTree(Path.of("examples/inbox"), Path.of(properties.get("relay.inbox.dir")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs with relay.once=true and waits (at most {@code timeout}) until the relay stopped by itself. */
    public void runOnce(Duration timeout) {
        properties.put("relay.once", "true");
        launch();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            stop();
            throw new AssertionError("the relay did not stop by itself within " + timeout);
        }
        if (failure != null) {
            throw new AssertionError("the relay failed", failure);
        }
    }

    public void runOnce() {
        runOnce(Duration.ofSeconds(60));
    }

    /** Starts a long-running relay and waits until its context is started. */
    public CamelContext start() {
        properties.putIfAbsent("relay.once", "false");
        launch();
        await(Duration.ofSeconds(60), () -> failure != null || (main.getCamelContext() != null
                && main.getCamelContext().getStatus() == ServiceStatus.Started));
        if (failure != null) {
            throw new AssertionError("the relay failed to start", failure);
        }
        return main.getCamelContext();
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** Stops the relay as a shutdown would, and waits for it. */
    public void stop() {
        if (main != null) {
            main.completed();
            try {
                thread.join(Duration.ofSeconds(60).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void launch() {
        main = new Main();
        main.configure().withRoutesIncludePattern(io.auditrelay.AuditRelay.ROUTES);
        properties.forEach(main::addOverrideProperty);
        beans.forEach(main::bind);
        failure = null;
        thread = new Thread(() -> {
            try {
                io.auditrelay.RunOutcome outcome = io.auditrelay.RunOutcome.of(main);
                int code = main.run(new String[0]);
                if (code == 0) {
                    code = outcome.exitCode();
                }
                if (code != 0) {
                    failure = new IllegalStateException("the relay exited with code " + code);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }, "relay-under-test");
        thread.start();
    }

    /** Polls {@code condition} every 50 ms until it holds or {@code timeout} passes. */
    public static void await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }
}

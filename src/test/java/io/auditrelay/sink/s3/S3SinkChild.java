package io.auditrelay.sink.s3;

import io.auditrelay.aws.S3Access;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An S3 sink in a process of its own, for the crash tests: it accepts units of events, flushes each (its events are
 * then durable in the spool), says so on standard output and waits to be killed with SIGKILL.
 * Arguments: bucket endpoint spoolDir dlqDir batchSize maxRetries retryDelayMs, then one argument per unit:
 * {@code id@time,id@time,...}.
 */
public final class S3SinkChild {

    static final String READY = "S3 SINK CHILD READY";

    private final Process process;
    private final Path log;

    private S3SinkChild(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        S3Access access = new S3Access("us-east-1", args[1], S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
        S3Sink sink = new S3Sink(new S3Sink.Options(args[0], "audit", Integer.parseInt(args[4]), 64L << 20,
                Duration.ofMinutes(10), Integer.parseInt(args[5]), Duration.ofMillis(Long.parseLong(args[6])), Path.of(args[2])),
                access::client, new NdjsonGzipFormat(),
                new DeadLetterStore(Path.of(args[3]), Clock.systemUTC(), new RelayStats(Clock.systemUTC())));
        sink.start();
        for (int unit = 7; unit < args.length; unit++) {
            for (String event : args[unit].split(",")) {
                String[] idAndTime = event.split("@");
                sink.acceptFrom(S3SinkTest.event(idAndTime[0], idAndTime[1]), "test/airkit:" + idAndTime[0]);
            }
            sink.flush();
        }
        System.out.println(READY + " " + sink.spool());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }

    /** Starts the child with the test's class path and waits until every unit was flushed. */
    static S3SinkChild start(Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), S3SinkChild.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3SinkChild child = new S3SinkChild(process, log);
        try {
            RelayRunner.await(Duration.ofSeconds(60), () -> !process.isAlive() || child.log().contains(READY));
        } finally {
            if (!child.log().contains(READY)) {
                process.destroyForcibly();
            }
        }
        if (!child.log().contains(READY)) {
            throw new AssertionError("the S3 sink child did not flush its units:\n" + child.log());
        }
        return child;
    }

    /** SIGKILL: no shutdown hook, no flush, no sealing; the spool stays as the sink left it. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }
}

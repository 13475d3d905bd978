package io.auditrelay.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only sink (route {@code sink-halt} in test-routes/sink-halt.yaml, sink name halt, enable it with
 * {@link #enable(RelayRunner, int)}) that accepts {@code limit} events and then freezes the thread delivering the
 * next one forever, ignoring interrupts: the event was written by the sinks listed before it, but the source
 * never gets to acknowledge/commit it, as after a crash. One halt per test JVM run of a test class.
 */
public final class HaltingSink {

    private static final AtomicInteger accepted = new AtomicInteger();
    private static volatile int limit = Integer.MAX_VALUE;
    private static volatile CountDownLatch halted = new CountDownLatch(1);

    /** Adds the halt sink after the csv sink to the relay and arms it. */
    public static RelayRunner enable(RelayRunner relay, int acceptBeforeHalt) {
        accepted.set(0);
        limit = acceptBeforeHalt;
        halted = new CountDownLatch(1);
        return relay.with("camel.main.routes-include-pattern", "classpath:routes/*.yaml,classpath:test-routes/sink-halt.yaml")
                .with("relay.sinks", "csv,halt")
                .with("relay.sink.halt.uri", "direct:sink-halt")
                .with("camel.main.shutdown-timeout", "2");
    }

    /** Waits until a thread froze in the sink. */
    public static boolean awaitHalted(long seconds) throws InterruptedException {
        return halted.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Takes a chunk (a list of events) like a sink route; freezes on the chunk that holds event {@code limit + 1}. */
    public void accept(java.util.List<?> chunk) {
        if (accepted.addAndGet(chunk.size()) <= limit) {
            return;
        }
        halted.countDown();
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // a frozen process does not react to being asked to stop
            }
        }
    }
}

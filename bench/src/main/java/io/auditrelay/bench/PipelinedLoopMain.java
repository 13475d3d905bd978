package io.auditrelay.bench;

import java.util.Locale;

/**
 * The pipelined plain-client loop of {@link KafkaBench} in a JVM of its own, started with the relay's JVM options:
 * its JIT compiles the loop while it runs, as the relay's does (in the bench's JVM the loop runs already compiled,
 * after the flush-per-poll loop ran the same mapper and clients). Prints one line:
 * {@code pipelined <events/s first poll to last ack> <events/s incl. group join> <CPU s of this process>}.
 */
final class PipelinedLoopMain {

    private PipelinedLoopMain() {
    }

    /** Arguments: brokers, input topic, output topic, events, timeout in seconds. */
    public static void main(String[] args) throws Exception {
        KafkaBench bench = new KafkaBench(null, null, Long.parseLong(args[3]), args[0], null, Long.parseLong(args[4]), false);
        double[] rates = bench.pipelined(args[1], args[2]);
        System.out.printf(Locale.ROOT, "pipelined %.1f %.1f %.2f%n", rates[0], rates[1], RelayProcess.ownCpuSeconds());
    }
}

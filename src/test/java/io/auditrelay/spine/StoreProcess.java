package io.auditrelay.spine;

import io.auditrelay.testing.RelayRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A store of the spine in a process of its own, for tests of stores that processes share:
 * <ul>
 * <li>{@code dedupe <dir> <id>...}: starts a dedupe store, confirms the ids, prints {@code started} and runs until
 * its input ends or it is killed;</li>
 * <li>{@code dead-letters <dir> <n>}: records n unreadable inputs ({@code other-0} ...) as fast as it can, prints
 * {@code done}.</li>
 * </ul>
 */
public final class StoreProcess {

    private StoreProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("dedupe")) {
            DedupeRepository store = new DedupeRepository(dir, 100);
            store.start();
            store.confirmAll(List.of(args).subList(2, args.length));
            System.out.println("started");
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the test closes its input or kills it
            }
            store.stop();
        } else {
            DeadLetterStore store = new DeadLetterStore(dir, Clock.systemUTC(), new RelayStats(Clock.systemUTC()));
            for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++) {
                store.recordUnreadable("airkit", "other-" + i, "written by the other process");
            }
            System.out.println("done");
        }
    }

    /**
     * Starts one with its output in {@code log}; returns once it printed {@code until} (null: at once), or throws
     * with its output when it ended or a minute passed first.
     */
    static Process start(Path log, String until, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreProcess.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (until != null) {
            RelayRunner.await(Duration.ofMinutes(1), () -> printed(log, until) || !process.isAlive());
            if (!printed(log, until)) {
                process.destroyForcibly();
                throw new IllegalStateException("the store process did not print " + until + ":\n" + Files.readString(log));
            }
        }
        return process;
    }

    private static boolean printed(Path log, String line) {
        try {
            return Files.readAllLines(log).contains(line);
        } catch (IOException e) {
            return false;
        }
    }
}

package io.auditrelay.ops;

import io.auditrelay.source.InboxSeeder;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the relay the way a Camel user does, with the Camel CLI ({@code scripts/camel}, Camel JBang 4.17.0
 * launched by JBang from Maven Central): {@code camel run application.properties routes/*.yaml
 * --local-kamelet-dir=kamelets} in a copy of the project, after installing the project's jar as
 * {@code mvn install} would, and checks the CSV output of the embedded default.
 */
class CamelRunIT {

    @TempDir
    Path work;

    @Test
    void camel_run_with_the_route_files_relays_the_examples_like_the_jar_does() throws Exception {
        Path project = Path.of("").toAbsolutePath();
        run(project, List.of("mvn", "-q", "-B", "install:install-file", "-Dfile=target/audit-relay-0.1.0-SNAPSHOT.jar",
                "-DpomFile=pom.xml"), project.resolve("target/install.log"), 300);
        for (String name : List.of("application.properties", "routes", "kamelets", "examples")) {
            InboxSeeder.copyTree(project.resolve(name), work.resolve(name));
        }

        // --max-seconds beyond the wait below: the run must end by itself once the inboxes are drained
        String command = project.resolve("scripts/camel") + " run application.properties routes/*.yaml"
                + " --local-kamelet-dir=kamelets --max-seconds=900"
                + " --prop=relay.once=true --prop=relay.management.port=" + RelayRunner.freePort();
        Path log = work.resolve("camel-run.log");
        int exit = run(work, List.of("bash", "-c", command), log, 420);

        String output = Files.readString(log);
        assertThat(exit).as(output).isZero();
        assertThat(output).contains("Audit Relay summary").contains("Apache Camel (JBang) 4.17.0");
        List<String> rows = Output.lines(work.resolve("data/out/csv")).stream().filter(l -> !l.startsWith("id,")).toList();
        assertThat(rows).hasSize(24);
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957,"
                + "2022-10-09T02:40:00.262143Z,"));
    }

    @Test
    void camel_get_route_shows_the_relay_routes_while_it_runs() throws Exception {
        Path project = Path.of("").toAbsolutePath();
        run(project, List.of("mvn", "-q", "-B", "install:install-file", "-Dfile=target/audit-relay-0.1.0-SNAPSHOT.jar",
                "-DpomFile=pom.xml"), project.resolve("target/install.log"), 300);
        for (String name : List.of("application.properties", "routes", "kamelets", "examples")) {
            InboxSeeder.copyTree(project.resolve(name), work.resolve(name));
        }
        String camel = project.resolve("scripts/camel").toString();
        Process relay = new ProcessBuilder("bash", "-c", camel + " run application.properties routes/*.yaml"
                + " --local-kamelet-dir=kamelets --max-seconds=300 --prop=relay.management.port=" + RelayRunner.freePort())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("camel-run.log").toFile()).start();
        try {
            Path status = work.resolve("camel-get.log");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            String routes = "";
            // camel get route lists the routes added so far: wait until every one looked for is there
            List<String> expected = List.of("inbox-astra", "inbox-cockroachdb", "ingest-batch", "audit-inbox://astra");
            while (System.nanoTime() < deadline && !expected.stream().allMatch(routes::contains)) {
                run(work, List.of("bash", "-c", camel + " get route"), status, 120);
                routes = Files.readString(status);
            }
            assertThat(routes).as(Files.readString(work.resolve("camel-run.log")))
                    .contains(expected.toArray(String[]::new));
        } finally {
            // JBang runs the relay as a child JVM: stop the whole tree
            relay.descendants().forEach(ProcessHandle::destroy);
            relay.destroy();
            if (!relay.waitFor(60, TimeUnit.SECONDS)) {
                relay.descendants().forEach(ProcessHandle::destroyForcibly);
                relay.destroyForcibly();
            }
        }
    }

    private static int run(Path dir, List<String> command, Path log, int timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        return process.exitValue();
    }
}

package io.auditrelay;

import io.auditrelay.command.AirkitCheckCommand;
import io.auditrelay.command.AstraSetupCommand;
import io.auditrelay.command.BackfillCommand;
import io.auditrelay.command.ReplayDlqCommand;
import org.apache.camel.main.Main;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Starts the relay: {@code java -jar target/audit-relay.jar}. Beans come from the configuration
 * classes named in {@code application.properties}, routes from the YAML files packaged from {@code routes/}.
 * A first argument naming a command runs that command instead: {@code astra-setup} ({@link AstraSetupCommand}),
 * {@code replay-dlq [--sink <name>]} ({@link ReplayDlqCommand}), {@code backfill cockroachdb --from T1 --until T2}
 * ({@link BackfillCommand}) or {@code airkit-check} ({@link AirkitCheckCommand}).
 */
public final class AuditRelay {

    /**
     * The route files packaged in the jar from {@code routes/}, by name. Named rather than matched with
     * {@code classpath:routes/*.yaml}: to match a pattern Camel reads through every entry of the jar, and it does so
     * twice while it starts (about 5 of the 8 CPU seconds of a start with the 147 MB jar). RouteFilesTest keeps this
     * list equal to the directory.
     */
    static final List<String> ROUTE_FILES = List.of("ingest.yaml", "progress.yaml", "source-airkit-s3.yaml",
            "source-astra-pulsar.yaml", "source-cockroachdb.yaml", "source-conduktor-kafka.yaml", "source-inbox.yaml");

    /**
     * The YAML routes packaged in the jar. Set here rather than in application.properties so that
     * {@code camel run application.properties routes/*.yaml} loads the route files it is given, once.
     * Override with {@code -Dcamel.main.routes-include-pattern=file:routes/*.yaml} to run edited routes.
     */
    public static final String ROUTES = String.join(",", ROUTE_FILES.stream().map(f -> "classpath:routes/" + f).toList());

    /** The packaged defaults, then an optional {@code config/application.properties} beside the process (a ConfigMap). */
    public static final String PROPERTIES = "classpath:application.properties;optional=true,"
            + "file:config/application.properties;optional=true";

    private AuditRelay() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && AstraSetupCommand.NAME.equals(args[0])) {
            System.exit(AstraSetupCommand.fromEnvironment().run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && ReplayDlqCommand.NAME.equals(args[0])) {
            System.exit(new ReplayDlqCommand(Map.of(), System.out).run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && AirkitCheckCommand.NAME.equals(args[0])) {
            System.exit(AirkitCheckCommand.fromEnvironment().run(Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && BackfillCommand.NAME.equals(args[0])) {
            System.exit(new BackfillCommand(Map.of(), System.out, PROPERTIES).run(Arrays.copyOfRange(args, 1, args.length)));
        }
        Main main = new Main();
        main.configure().withRoutesIncludePattern(ROUTES);
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES);
        RunOutcome outcome = RunOutcome.of(main);
        int code = main.run(args);
        System.exit(code != 0 ? code : outcome.exitCode());
    }
}

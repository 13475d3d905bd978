package io.auditrelay.command;

import io.auditrelay.source.cockroachdb.CursorStore;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.main.MainSupport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -jar target/audit-relay.jar backfill cockroachdb --from T1 --until T2 [--sort-order ASC|DESC]}: reads
 * exactly the window [T1, T2) of the CockroachDB Cloud audit log into the configured sinks, then exits.
 *
 * <p>Runs the relay's spine and sinks (routes/ingest.yaml, the same dedupe store, dead letters and sink settings) with
 * one source: an {@code audit-cockroachdb:} endpoint with {@code startFrom=T1}, {@code until=T2} and a cursor of its own,
 * {@code <relay.state.dir>/cockroachdb-backfill-<T1>-<T2>[-desc]-cursor.json}. Killed midway, the same command resumes
 * from that cursor; run again after it completed, it reads nothing. The live source's cursor
 * ({@code cockroachdb-cursor.json}) and its cluster lock are not touched. The API settings are the live source's
 * ({@code relay.source.cockroachdb.url}, {@code api-key}, {@code page-size}, ...). Exits 0 when the window was read,
 * 1 when the API refused the key or the request, 2 on a wrong argument.
 */
public final class BackfillCommand {

    public static final String NAME = "backfill";
    private static final String USAGE = NAME + " cockroachdb --from <ISO-8601> --until <ISO-8601> [--sort-order ASC|DESC]";

    private final Map<String, String> overrides;
    private final PrintStream out;
    private final String propertiesLocation;

    /**
     * {@code overrides}: properties for the relay (tests point the state and output folders to temp dirs);
     * {@code propertiesLocation}: where the relay's properties are read from (null: Camel's default).
     */
    public BackfillCommand(Map<String, String> overrides, PrintStream out, String propertiesLocation) {
        this.overrides = new LinkedHashMap<>(overrides);
        this.out = out;
        this.propertiesLocation = propertiesLocation;
    }

    public int run(String... args) throws Exception {
        if (args.length == 0 || !"cockroachdb".equals(args[0])) {
            out.println(NAME + ": only the cockroachdb source reads windows of past events (usage: " + USAGE + ")");
            return 2;
        }
        String from = null;
        String until = null;
        String order = "ASC";
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (("--from".equals(arg) || "--until".equals(arg) || "--sort-order".equals(arg)) && value != null) {
                i++;
            } else if (arg.startsWith("--") && arg.contains("=")) {
                value = arg.substring(arg.indexOf('=') + 1);
                arg = arg.substring(0, arg.indexOf('='));
            } else {
                out.println(NAME + ": unknown argument " + arg + " (usage: " + USAGE + ")");
                return 2;
            }
            switch (arg) {
                case "--from" -> from = value;
                case "--until" -> until = value;
                case "--sort-order" -> order = value.toUpperCase(Locale.ROOT);
                default -> {
                    out.println(NAME + ": unknown argument " + arg + " (usage: " + USAGE + ")");
                    return 2;
                }
            }
        }
        Instant fromAt;
        Instant untilAt;
        try {
            fromAt = from == null ? null : OffsetDateTime.parse(from).toInstant();
            untilAt = until == null ? null : OffsetDateTime.parse(until).toInstant();
        } catch (RuntimeException e) {
            out.println(NAME + ": --from and --until take ISO-8601 timestamps with a zone, e.g. 2024-05-01T00:00:00Z ("
                    + e.getMessage() + ")");
            return 2;
        }
        if (fromAt == null || untilAt == null || !fromAt.isBefore(untilAt)) {
            out.println(NAME + ": give --from and --until, --from earlier than --until (usage: " + USAGE + ")");
            return 2;
        }
        if (!"ASC".equals(order) && !"DESC".equals(order)) {
            out.println(NAME + ": --sort-order is ASC or DESC, not " + order);
            return 2;
        }
        String name = cursorName(fromAt, untilAt, order);
        Main main = SpineMain.create();
        if (propertiesLocation != null) {
            main.setDefaultPropertyPlaceholderLocation(propertiesLocation);
        }
        main.addOverrideProperty("relay.once", "true");
        for (String source : new String[] {"cockroachdb", "conduktor", "astra", "airkit"}) {
            main.addOverrideProperty("relay.source." + source + ".enabled", "false"); // the live sources stay with the relay
        }
        // the window's source is added below
        overrides.forEach(main::addOverrideProperty);
        main.configure().addRoutesBuilder(new WindowRoute(name, from, until, order));
        Outcome outcome = new Outcome();
        main.addMainListener(outcome);
        out.println(NAME + ": reading the CockroachDB Cloud window [" + from + ", " + until + ") " + order + " with the cursor "
                + name + "-cursor.json");
        int code = main.run(new String[0]);
        if (code != 0) {
            return code;
        }
        if (outcome.notOnce()) {
            out.println(NAME + ": relay.once is false here (a -D option or the environment variable RELAY_ONCE sets it),"
                    + " so the backfill would never end: unset it and run the command again");
            return 2;
        }
        if (outcome.failure() != null) {
            out.println(NAME + ": stopped: " + outcome.failure());
            return 1;
        }
        boolean complete = outcome.stateDir() != null && new CursorStore(Path.of(outcome.stateDir()), name).read()
                .map(CursorStore.Cursor::complete).orElse(false);
        out.println(complete ? NAME + ": the window [" + from + ", " + until + ") was read"
                : NAME + ": read everything there is up to now; the window ends later (" + until + "): run the same command"
                        + " again after that to read the rest");
        return 0;
    }

    /** The window's source name (and so its cursor file): both bounds as UTC digits, and the order when DESC. */
    static String cursorName(Instant from, Instant until, String order) {
        return "cockroachdb-backfill-" + compact(from) + "-" + compact(until) + ("DESC".equals(order) ? "-desc" : "");
    }

    private static String compact(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant).replaceAll("[^0-9TZ]", "");
    }

    /** {@code audit-cockroachdb:<name>} with the live source's API settings and the window's bounds. */
    private static final class WindowRoute extends RouteBuilder {

        private final String name;
        private final String from;
        private final String until;
        private final String order;

        WindowRoute(String name, String from, String until, String order) {
            this.name = name;
            this.from = from;
            this.until = until;
            this.order = order;
        }

        @Override
        public void configure() {
            String p = "relay.source.cockroachdb.";
            from("audit-cockroachdb:" + name
                    + "?url=RAW({{" + p + "url}})&apiKey=RAW({{" + p + "api-key}})&apiVersion={{" + p + "api-version}}"
                    + "&pageSize={{" + p + "page-size}}&backoff={{" + p + "backoff}}&maxBackoff={{" + p + "max-backoff}}"
                    + "&requestTimeout={{" + p + "request-timeout}}&progressPages={{" + p + "progress-pages}}"
                    + "&pollInterval={{" + p + "poll-interval}}&stateDir=RAW({{relay.state.dir}})"
                    + "&startFrom=RAW(" + from + ")&until=RAW(" + until + ")&sortOrder=" + order)
                    .routeId("backfill-" + name)
                    .to("direct:ingest-batch");
        }
    }

    /** The coordinator's verdict, read before the context is gone. */
    private static final class Outcome extends MainListenerSupport {

        private volatile OnceCoordinator coordinator;
        private volatile String stateDir;
        private volatile boolean notOnce;

        @Override
        public void afterStart(BaseMainSupport main) {
            coordinator = main.getCamelContext().getRegistry().lookupByNameAndType("onceCoordinator", OnceCoordinator.class);
            stateDir = main.getCamelContext().resolvePropertyPlaceholders("{{relay.state.dir}}");
            // the command's relay.once=true is an override, which a -D option or the environment still beats
            if (coordinator != null && !coordinator.once() && main instanceof MainSupport running) {
                notOnce = true;
                running.completed();
            }
        }

        boolean notOnce() {
            return notOnce;
        }

        String stateDir() {
            return stateDir;
        }

        String failure() {
            OnceCoordinator c = coordinator;
            return c == null ? null : c.failure();
        }
    }
}

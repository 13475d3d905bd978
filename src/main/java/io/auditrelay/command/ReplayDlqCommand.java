package io.auditrelay.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.sink.SinkProducer;
import io.auditrelay.spine.FanOut;
import io.auditrelay.event.Delivery;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.event.SourceRecord;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar target/audit-relay.jar replay-dlq [--sink <name>]}: re-sends the dead-lettered records.
 *
 * <p>Starts the relay's Camel context with only the spine and the sink routes (no inboxes, no sources), then for
 * each entry of the dead-letter store (only those of {@code --sink} if given):
 * <ul>
 *   <li>an entry with {@code event} and {@code sink} (a sink failed) re-delivers the canonical event to
 *       the endpoint of that sink only ({@code relay.sink.<sink>.uri}), bypassing the dedupe store (the id is in it
 *       already);</li>
 *   <li>an entry with {@code raw} and no {@code event} (mapping failed) re-maps the record through
 *       {@code direct:ingest};</li>
 *   <li>anything else (an unreadable file, a sink that is not enabled) is kept as it is.</li>
 * </ul>
 * A replayed record that fails again is dead-lettered by the routes as usual (appended, with its new reason).
 * At the end the store is rewritten atomically to the kept entries plus those new ones; so each delivered entry
 * is removed. If the command is killed midway the store still holds every original entry (a later replay may
 * then deliver some events a second time: at-least-once). Exits 0 when nothing it tried is left, 1 otherwise,
 * after a one-line summary.
 */
public final class ReplayDlqCommand {

    public static final String NAME = "replay-dlq";

    private final Map<String, String> overrides;
    private final PrintStream out;

    /** {@code overrides}: properties for the relay (tests point the state and dead-letter folders to temp dirs). */
    public ReplayDlqCommand(Map<String, String> overrides, PrintStream out) {
        this.overrides = new LinkedHashMap<>(overrides);
        this.out = out;
    }

    public int run(String... args) throws Exception {
        String sinkFilter = null;
        for (int i = 0; i < args.length; i++) {
            if ("--sink".equals(args[i]) && i + 1 < args.length) {
                sinkFilter = args[++i];
            } else if (args[i].startsWith("--sink=")) {
                sinkFilter = args[i].substring("--sink=".length());
            } else {
                out.println(NAME + ": unknown argument " + args[i] + " (usage: " + NAME + " [--sink <name>])");
                return 2;
            }
        }
        Main main = SpineMain.create();
        main.addOverrideProperty("relay.once", "false");
        overrides.forEach(main::addOverrideProperty);
        main.start();
        try {
            return replay(main.getCamelContext(), sinkFilter);
        } finally {
            main.stop();
        }
    }

    private int replay(CamelContext context, String sinkFilter) throws Exception {
        DeadLetterStore store = context.getRegistry().lookupByNameAndType("deadLetters", DeadLetterStore.class);
        List<JsonNode> entries = store.entries();
        List<JsonNode> keep = new ArrayList<>();
        int tried = 0;
        int skipped = 0;
        int unhandled = 0;
        FanOut fanOut = context.getRegistry().lookupByNameAndType("fanOut", FanOut.class);
        try (ProducerTemplate template = context.createProducerTemplate()) {
            for (JsonNode entry : entries) {
                String sink = text(entry, "sink");
                if (sinkFilter != null && !sinkFilter.equals(sink)) {
                    keep.add(entry);
                    continue;
                }
                Exchange result;
                if (entry.hasNonNull("event") && sink != null) {
                    String uri = fanOut == null ? null : fanOut.uri(sink);
                    if (uri == null) {
                        keep.add(entry);
                        skipped++;
                        continue;
                    }
                    AuditEvent event = Json.MAPPER.treeToValue(entry.get("event"), AuditEvent.class);
                    // the source record only for a new dead letter: vendor, raw text and location as recorded
                    SourceRecord source = new SourceRecord(text(entry, "vendor"), null, text(entry, "raw"),
                            text(entry, "source"), null);
                    // the sink's endpoint retries and dead-letters as in the relay; flushed once below
                    result = template.send(uri, exchange -> {
                        exchange.setProperty(SinkProducer.FLUSH_LATER, true);
                        exchange.getMessage().setBody(List.of(new Delivery(event, source)));
                    });
                } else if (text(entry, "raw") != null && text(entry, "vendor") != null) {
                    SourceRecord record = Normalizer.parse(text(entry, "vendor"), text(entry, "raw"), text(entry, "source"));
                    result = template.send("direct:ingest", exchange -> exchange.getMessage().setBody(record));
                } else {
                    keep.add(entry);
                    skipped++;
                    continue;
                }
                tried++;
                if (result.getException() != null) {
                    // not handled by the routes (should not happen): keep the entry as it was
                    keep.add(entry);
                    unhandled++;
                }
            }
        }
        // batching sinks (S3, Kafka) hold what they accepted until flushed; what they refuse then is dead-lettered again
        if (fanOut != null) {
            fanOut.flushSinks(context);
        }
        store.compact(entries.size(), keep);
        // counted in this process, not from the store: a relay running beside the replay may add dead letters of its own
        RelayStats stats = context.getRegistry().lookupByNameAndType("relayStats", RelayStats.class);
        int failedAgain = (int) stats.snapshot().values().stream().mapToLong(RelayStats.Counts::deadLettered).sum()
                + unhandled;
        int left = failedAgain + skipped;
        out.println(NAME + ": replayed " + tried + (sinkFilter == null ? "" : " for sink " + sinkFilter)
                + ", delivered " + (tried - failedAgain) + ", failed again " + failedAgain + ", not replayable " + skipped
                + ", " + store.entries().size() + " left in " + store.file());
        return left == 0 ? 0 : 1;
    }

    private static String text(JsonNode entry, String field) {
        JsonNode node = entry.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }
}

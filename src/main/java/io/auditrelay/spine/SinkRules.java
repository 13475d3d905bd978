package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import io.auditrelay.settings.Settings;
import org.apache.camel.Exchange;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Per-sink routing rules: a vendor list (a comma list; empty or unset = every vendor) and an action pattern (a regular
 * expression that must match the whole {@code action}; empty or unset = every action). Every sink endpoint applies
 * {@link #rule(String, String)} of its {@code vendors} and {@code actions} options (the relay sets them from
 * {@code relay.sink.<name>.vendors} / {@code .actions}); {@link #select(Exchange)} does the same by the sink in header
 * relaySink and the properties, cached per sink.
 */
public class SinkRules {

    private final Settings settings;
    private final Map<String, Rule> rules = new ConcurrentHashMap<>();

    public SinkRules(Settings settings) {
        this.settings = settings;
    }

    /**
     * The first step of every sink route: keeps the events of the chunk in the body ({@code List<Delivery>}) that
     * the rules of the sink in header relaySink accept.
     */
    @SuppressWarnings("unchecked")
    public void select(Exchange exchange) {
        String sink = exchange.getMessage().getHeader(Headers.SINK, String.class);
        Rule rule = sink == null ? null : rules.computeIfAbsent(sink, this::load);
        if (rule == null || rule.acceptsAll()) {
            return;
        }
        List<Delivery> chunk = exchange.getMessage().getBody(List.class);
        exchange.getMessage().setBody(chunk.stream()
                .filter(d -> rule.accepts(d.vendor(), d.event().action())).toList());
    }

    public boolean accepts(String sink, String vendor, String action) {
        if (sink == null) {
            return true;
        }
        return rules.computeIfAbsent(sink, this::load).accepts(vendor, action);
    }

    /** The rule of a sink endpoint: {@code vendors} a comma list, {@code actions} a regular expression (blank: all). */
    public static Rule rule(String vendors, String actions) {
        Set<String> names = vendors == null ? Set.of() : Set.copyOf(java.util.Arrays.stream(vendors.split(","))
                .map(String::trim).filter(v -> !v.isEmpty()).toList());
        return new Rule(names.isEmpty() ? null : names,
                actions == null || actions.isBlank() ? null : Pattern.compile(actions.trim()));
    }

    /** The events of {@code chunk} that {@code rule} accepts. */
    public static List<Delivery> select(List<Delivery> chunk, Rule rule) {
        return chunk.stream().filter(d -> rule.accepts(d.vendor(), d.event().action())).toList();
    }

    private Rule load(String sink) {
        List<String> vendors = settings.list("relay.sink." + sink + ".vendors", "");
        String actions = settings.optional("relay.sink." + sink + ".actions");
        return new Rule(vendors.isEmpty() ? null : Set.copyOf(vendors), actions == null ? null : Pattern.compile(actions));
    }

    /** A sink's routing rule: its vendors (null: all) and the pattern its actions must match (null: all). */
    public record Rule(Set<String> vendors, Pattern actions) {
        public boolean acceptsAll() {
            return vendors == null && actions == null;
        }

        public boolean accepts(String vendor, String action) {
            return (vendors == null || vendors.contains(vendor))
                    && (actions == null || (action != null && actions.matcher(action).matches()));
        }
    }
}

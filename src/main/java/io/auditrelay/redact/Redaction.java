package io.auditrelay.redact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks or drops fields of vendor records ({@code raw}) before any sink and in the dead-letter store: the configured
 * {@link RedactRule}s ({@code relay.redact}) and, unless turned off ({@code relay.redact.defaults=false}), the
 * defaults: fields named like a secret (token, secret, password, private key, ...) at any depth, and values that look
 * like a known credential (Astra {@code AstraCS:} tokens, CockroachDB Cloud {@code CCDB1_} keys, JWTs, bearer
 * tokens). A string that holds JSON (Astra's {@code event} in a CSV download) is redacted inside and written back.
 * Canonical fields other than {@code raw} are not touched; ids and de-duplication are computed before redaction.
 */
public final class Redaction {

    /** What a masked value becomes. */
    public static final String MASK = "[REDACTED]";

    /** Field names masked by default (compared as {@link RedactRule#normalize} does). */
    static final Set<String> DEFAULT_NAMES = Set.of("token", "accesstoken", "refreshtoken", "idtoken", "authtoken",
            "bearertoken", "applicationtoken", "sessiontoken", "pulsartoken", "secret", "clientsecret", "secretkey",
            "secretaccesskey", "apisecret", "privatekey", "password", "passwd", "credential", "credentials");

    /** Values masked wherever they appear by default: credential formats of the vendors and common ones. */
    static final Pattern DEFAULT_VALUES = Pattern.compile(
            "AstraCS:[A-Za-z0-9]+:[A-Za-z0-9]+"
            + "|CCDB1_[A-Za-z0-9]+_[A-Za-z0-9]+"
            + "|eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]+"
            + "|(?i:bearer)\\s+[A-Za-z0-9._~+/=-]{8,}");

    /** In text that is not JSON: a secret-named key and its value ({@code "token":"..."}, {@code secret=...}). */
    private static final Pattern TEXT_PAIRS = Pattern.compile(
            "(?i)(\"{0,2}|\\\\\")(token|access_?token|refresh_?token|secret|client_?secret|secret_?key|password|"
            + "private_?key|credentials?)\\1(\\s*[:=]\\s*)(\"{0,2}|\\\\\")([^\"\\\\,}\\s]+)");

    /** Only the defaults. */
    public static final Redaction DEFAULTS = new Redaction(List.of(), true);
    /** Nothing is redacted. */
    public static final Redaction NONE = new Redaction(List.of(), false);

    private final List<RedactRule> rules;
    private final boolean defaults;
    /** The quick look per vendor (rules apply per vendor). */
    private final Map<String, Look> looks = new ConcurrentHashMap<>();

    public Redaction(List<RedactRule> rules, boolean defaults) {
        this.rules = List.copyOf(rules);
        this.defaults = defaults;
    }

    /**
     * The rules of {@code relay.redact} (or a Pipe's {@code redact} option): entries separated by {@code ;}, {@code ,}
     * or line breaks, each {@code [vendor:]field-or-$.path[=mask|drop]}.
     */
    public static Redaction parse(String rules, boolean defaults) {
        List<RedactRule> parsed = new ArrayList<>();
        if (rules != null) {
            for (String entry : rules.split("[;,\\n]")) {
                if (!entry.isBlank()) {
                    parsed.add(RedactRule.parse(entry));
                }
            }
        }
        return new Redaction(parsed, defaults);
    }

    /** Both rule sets (redacting what either one does). */
    public Redaction and(Redaction other) {
        if (other == null || other == this) {
            return this;
        }
        List<RedactRule> all = new ArrayList<>(rules);
        other.rules.stream().filter(r -> !all.contains(r)).forEach(all::add);
        return new Redaction(all, defaults || other.defaults);
    }

    public List<RedactRule> rules() {
        return rules;
    }

    public boolean defaults() {
        return defaults;
    }

    /** The event with its raw record redacted (the same event when nothing changed). */
    public AuditEvent apply(AuditEvent event) {
        if (event == null || event.raw() == null) {
            return event;
        }
        JsonNode raw = apply(event.vendor(), event.raw());
        return raw == event.raw() ? event : event.withRaw(raw);
    }

    /** A redacted copy of the record, or the record itself when nothing is redacted. */
    public JsonNode apply(String vendor, JsonNode record) {
        if (record == null || !record.isContainerNode() || rules.isEmpty() && !defaults) {
            return record;
        }
        if (!mayMatch(vendor, record)) {
            return record;
        }
        JsonNode copy = record.deepCopy();
        return redact(vendor, copy) ? copy : record;
    }

    /**
     * A quick look at the record, so most records are not copied: false only when no field name (or, in a string
     * that holds JSON, no text) contains a rule's field name (or path end) or, with the defaults, a secret name, and
     * no string value holds a credential prefix. Walks the tree instead of writing it out as text, which cost more
     * than the rest of the redaction per event.
     */
    private boolean mayMatch(String vendor, JsonNode record) {
        Look look = looks.computeIfAbsent(String.valueOf(vendor), v -> look(vendor));
        return look.everything || !look.names.isEmpty() && mayMatch(record, look);
    }

    /** What the quick look at a vendor's records searches for. */
    private Look look(String vendor) {
        List<String> names = new ArrayList<>();
        for (RedactRule rule : rules) {
            if (rule.appliesTo(vendor)) {
                String name = rule.name() != null ? rule.name() : RedactRule.normalize(rule.path().get(rule.path().size() - 1));
                if (name.equals("*")) {
                    return new Look(List.of(), true);
                }
                names.add(name);
            }
        }
        if (defaults) {
            names.addAll(DEFAULT_NAMES);
        }
        return new Look(names, false);
    }

    private boolean mayMatch(JsonNode node, Look look) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (look.nameMayMatch(field.getKey()) || mayMatch(field.getValue(), look)) {
                    return true;
                }
            }
            return false;
        }
        if (node instanceof ArrayNode array) {
            for (JsonNode item : array) {
                if (mayMatch(item, look)) {
                    return true;
                }
            }
            return false;
        }
        if (!node.isTextual()) {
            return false;
        }
        String text = node.asText();
        if (defaults && mayHoldCredential(text)) {
            return true;
        }
        String trimmed = text.trim();
        // a string that holds JSON is redacted inside: its keys are somewhere in its text
        return (trimmed.startsWith("{") || trimmed.startsWith("[")) && containsAny(RedactRule.normalize(text), look.names);
    }

    /**
     * The names the quick look searches for in a vendor's records (or every record: a {@code *} rule), and its answer
     * per field name: a vendor's records repeat a few dozen names, each normalized and searched once (at most
     * {@value #MAX_CACHED_NAMES} names of up to {@value #MAX_CACHED_NAME_LENGTH} characters kept, against odd input).
     */
    private record Look(List<String> names, boolean everything, Map<String, Boolean> answers) {
        Look(List<String> names, boolean everything) {
            this(List.copyOf(names), everything, new ConcurrentHashMap<>());
        }

        boolean nameMayMatch(String key) {
            Boolean known = answers.get(key);
            if (known != null) {
                return known;
            }
            boolean match = containsAny(RedactRule.normalize(key), names);
            if (key.length() <= MAX_CACHED_NAME_LENGTH && answers.size() < MAX_CACHED_NAMES) {
                answers.put(key, match);
            }
            return match;
        }
    }

    private static final int MAX_CACHED_NAMES = 10_000;
    private static final int MAX_CACHED_NAME_LENGTH = 200;

    private static boolean containsAny(String normalized, List<String> names) {
        for (String name : names) {
            if (normalized.contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a value may match {@link #DEFAULT_VALUES}: holds one of its literal prefixes. */
    static boolean mayHoldCredential(String text) {
        if (text.contains("AstraCS:") || text.contains("CCDB1_") || text.contains("eyJ")) {
            return true;
        }
        return containsIgnoreCase(text, 'b', "bearer") || containsIgnoreCase(text, 'B', "bearer");
    }

    /**
     * Whether a {@code first} in the text starts {@code word} (lower case, two letters or more) in any ASCII case
     * (indexOf of a char is vectorized; the second letter is compared before the whole word, as most text has many
     * {@code first}s: a hex string holds one in sixteen characters).
     */
    private static boolean containsIgnoreCase(String text, char first, String word) {
        char second = word.charAt(1);
        for (int i = text.indexOf(first); i >= 0 && i + 1 < text.length(); i = text.indexOf(first, i + 1)) {
            if ((text.charAt(i + 1) | 0x20) == second && text.regionMatches(true, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    /** The text of a record as read: JSON is redacted as a record; other text has its secret-looking values masked. */
    public String applyText(String vendor, String text) {
        if (text == null || rules.isEmpty() && !defaults) {
            return text;
        }
        String trimmed = text.trim();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            try {
                JsonNode node = Json.MAPPER.readTree(trimmed);
                JsonNode redacted = apply(vendor, node);
                return redacted == node ? text : Json.MAPPER.writeValueAsString(redacted);
            } catch (JsonProcessingException e) {
                // not JSON after all: fall through to the text rules
            }
        }
        String out = TEXT_PAIRS.matcher(text).replaceAll(m -> Matcher.quoteReplacement(
                m.group(1) + m.group(2) + m.group(1) + m.group(3) + m.group(4) + MASK));
        for (RedactRule rule : rules) {
            if (rule.appliesTo(vendor) && rule.name() != null) {
                out = Pattern.compile("(?i)(\"{0,2}|\\\\\")(" + Pattern.quote(rule.name()) + ")\\1(\\s*[:=]\\s*)(\"{0,2}|\\\\\")"
                        + "([^\"\\\\,}\\s]+)").matcher(out).replaceAll(m -> Matcher.quoteReplacement(
                        m.group(1) + m.group(2) + m.group(1) + m.group(3) + m.group(4) + MASK));
            }
        }
        return defaults ? DEFAULT_VALUES.matcher(out).replaceAll(MASK) : out;
    }

    /** Redacts the tree in place; true when anything changed. */
    private boolean redact(String vendor, JsonNode root) {
        List<Expanded> expanded = new ArrayList<>();
        expand(root, expanded);
        boolean changed = false;
        for (RedactRule rule : rules) {
            if (!rule.appliesTo(vendor)) {
                continue;
            }
            changed |= rule.name() != null ? byName(root, rule.name(), rule.drop()) : byPath(root, rule.path(), 0, rule.drop());
        }
        if (defaults) {
            for (String name : DEFAULT_NAMES) {
                changed |= byName(root, name, false);
            }
            changed |= byValue(root);
        }
        for (int i = expanded.size() - 1; i >= 0; i--) {
            expanded.get(i).collapse();
        }
        return changed;
    }

    private static boolean byName(JsonNode node, String name, boolean drop) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            List<String> matches = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (RedactRule.normalize(field.getKey()).equals(name)) {
                    matches.add(field.getKey());
                } else {
                    changed |= byName(field.getValue(), name, drop);
                }
            }
            for (String key : matches) {
                changed |= redactField(object, key, drop);
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode item : array) {
                changed |= byName(item, name, drop);
            }
        }
        return changed;
    }

    private static boolean byPath(JsonNode node, List<String> path, int at, boolean drop) {
        if (node instanceof ArrayNode array) {
            boolean changed = false;
            for (JsonNode item : array) {
                changed |= byPath(item, path, at, drop);
            }
            return changed;
        }
        if (!(node instanceof ObjectNode object)) {
            return false;
        }
        String segment = path.get(at);
        List<String> keys = new ArrayList<>();
        if (segment.equals("*")) {
            object.fieldNames().forEachRemaining(keys::add);
        } else if (object.has(segment)) {
            keys.add(segment);
        }
        boolean changed = false;
        for (String key : keys) {
            changed |= at == path.size() - 1 ? redactField(object, key, drop) : byPath(object.get(key), path, at + 1, drop);
        }
        return changed;
    }

    private static boolean redactField(ObjectNode object, String key, boolean drop) {
        JsonNode value = object.get(key);
        if (drop) {
            object.remove(key);
            return true;
        }
        if (value == null || value.isNull() || MASK.equals(value.asText(null)) && value.isTextual()) {
            return false;
        }
        object.put(key, MASK);
        return true;
    }

    private static boolean byValue(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isTextual()) {
                    String masked = DEFAULT_VALUES.matcher(field.getValue().asText()).replaceAll(MASK);
                    if (!masked.equals(field.getValue().asText())) {
                        field.setValue(TextNode.valueOf(masked));
                        changed = true;
                    }
                } else {
                    changed |= byValue(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                if (array.get(i).isTextual()) {
                    String masked = DEFAULT_VALUES.matcher(array.get(i).asText()).replaceAll(MASK);
                    if (!masked.equals(array.get(i).asText())) {
                        array.set(i, TextNode.valueOf(masked));
                        changed = true;
                    }
                } else {
                    changed |= byValue(array.get(i));
                }
            }
        }
        return changed;
    }

    /** Replaces string values holding a JSON object or array by the parsed value, remembering where. */
    private static void expand(JsonNode node, List<Expanded> expanded) {
        if (node instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            object.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                JsonNode value = object.get(key);
                JsonNode parsed = parsedJson(value);
                if (parsed != null) {
                    object.set(key, parsed);
                    expanded.add(new Expanded(object, key, -1, value.asText(), parsed, parsed.deepCopy()));
                    expand(parsed, expanded);
                } else {
                    expand(value, expanded);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                JsonNode parsed = parsedJson(value);
                if (parsed != null) {
                    array.set(i, parsed);
                    expanded.add(new Expanded(array, null, i, value.asText(), parsed, parsed.deepCopy()));
                    expand(parsed, expanded);
                } else {
                    expand(value, expanded);
                }
            }
        }
    }

    private static JsonNode parsedJson(JsonNode value) {
        if (value == null || !value.isTextual()) {
            return null;
        }
        String text = value.asText().trim();
        if (!text.startsWith("{") && !text.startsWith("[")) {
            return null;
        }
        try {
            JsonNode parsed = Json.MAPPER.readTree(text);
            return parsed != null && parsed.isContainerNode() ? parsed : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** A string that held JSON: written back as the original text when nothing inside changed. */
    private record Expanded(JsonNode parent, String key, int index, String text, JsonNode parsed, JsonNode original) {

        void collapse() {
            JsonNode current = key != null ? parent.get(key) : parent.get(index);
            if (current != parsed) {
                return;
            }
            String value;
            try {
                value = parsed.equals(original) ? text : Json.MAPPER.writeValueAsString(parsed);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a redacted record could not be written", e);
            }
            if (key != null) {
                ((ObjectNode) parent).put(key, value);
            } else {
                ((ArrayNode) parent).set(index, TextNode.valueOf(value));
            }
        }
    }
}

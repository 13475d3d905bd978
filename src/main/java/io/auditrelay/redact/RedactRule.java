package io.auditrelay.redact;

import java.util.List;
import java.util.Locale;

/**
 * One redaction rule: a field name matched at any depth ({@code token}), or a JSON path from the record's root
 * ({@code $.event.secret}, {@code $.payload.*.key}; {@code *} is any field, arrays are walked), for one vendor or
 * all, masking the value or dropping the field.
 *
 * @param vendor the vendor it applies to, or null for all
 * @param name   the field name (compared ignoring case, {@code _} and {@code -}), or null for a path rule
 * @param path   the path's segments after {@code $}, or null for a name rule
 * @param drop   whether the field is removed rather than masked
 */
public record RedactRule(String vendor, String name, List<String> path, boolean drop) {

    /**
     * Parses {@code [vendor:]target[=mask|drop]}, e.g. {@code token}, {@code astra:$.event.token=drop}.
     *
     * @throws IllegalArgumentException when the rule is malformed
     */
    public static RedactRule parse(String text) {
        String rule = text.trim();
        boolean drop = false;
        int eq = rule.lastIndexOf('=');
        if (eq >= 0) {
            String action = rule.substring(eq + 1).trim().toLowerCase(Locale.ROOT);
            if (!action.equals("mask") && !action.equals("drop")) {
                throw new IllegalArgumentException("redact rule '" + text + "': the action must be mask or drop");
            }
            drop = action.equals("drop");
            rule = rule.substring(0, eq).trim();
        }
        String vendor = null;
        int colon = rule.indexOf(':');
        if (colon > 0 && !rule.startsWith("$")) {
            vendor = rule.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            rule = rule.substring(colon + 1).trim();
            if (vendor.equals("*")) {
                vendor = null;
            }
        }
        if (rule.isEmpty()) {
            throw new IllegalArgumentException("redact rule '" + text + "' names no field");
        }
        if (rule.startsWith("$")) {
            String rest = rule.substring(1).replaceAll("\\[\\*]", "").replaceAll("\\['([^']*)']", ".$1");
            List<String> segments = java.util.Arrays.stream(rest.split("\\.")).filter(s -> !s.isEmpty()).toList();
            if (segments.isEmpty()) {
                throw new IllegalArgumentException("redact rule '" + text + "': a path needs at least one field");
            }
            return new RedactRule(vendor, null, segments, drop);
        }
        if (!rule.matches("[A-Za-z0-9_\\-]+")) {
            throw new IllegalArgumentException("redact rule '" + text + "': a field name is letters, digits, _ and -;"
                    + " a path starts with $.");
        }
        return new RedactRule(vendor, normalize(rule), null, drop);
    }

    /** Whether the rule applies to records of this vendor. */
    boolean appliesTo(String recordVendor) {
        return vendor == null || vendor.equals(recordVendor);
    }

    /** A field name as rules compare it: lower case, without {@code _} and {@code -}. */
    static String normalize(String field) {
        return field.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }
}

package io.auditrelay.unit;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Endpoint option values as they reach the relay's endpoints from every way of running it. A Kamelet takes URLs, paths
 * and keys as {@code RAW({{...}})}, so a value given as a property (Camel K, {@code camel.kamelet.*}) keeps its
 * {@code +}; Camel JBang's Pipe loader, though, hands a Pipe's properties to the Kamelet URL-encoded
 * ({@code /data/state} arrives as {@code %2Fdata%2Fstate}). A value holding percent-escapes is therefore decoded once;
 * a literal {@code +} is kept as it is (the Pipe loader writes a {@code +} as {@code %2B}). A URL, path, key or token
 * that holds a literal {@code %} followed by two hex digits would be decoded too: none of the vendors' formats has one.
 */
public final class PipeValues {

    private static final Pattern ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");

    private PipeValues() {
    }

    public static String decode(String value) {
        if (value == null || !ESCAPE.matcher(value).find()) {
            return value;
        }
        try {
            return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            return value;
        }
    }

    /** Decodes every string option of an endpoint's parameters, in place (Camel checks the same map for leftovers). */
    public static void decodeAll(Map<String, Object> parameters) {
        parameters.replaceAll((key, value) -> value instanceof String text ? decode(text) : value);
    }
}

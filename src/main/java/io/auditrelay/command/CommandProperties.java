package io.auditrelay.command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The relay's properties for a command that runs without a Camel context: a {@code -D} system property, else an
 * environment variable of that name or its upper-case form ({@code relay.source.x} as {@code RELAY_SOURCE_X}), else
 * the packaged {@code application.properties}. Blank counts as unset (null).
 */
final class CommandProperties {

    private CommandProperties() {
    }

    static Function<String, String> fromEnvironment() {
        Properties defaults = new Properties();
        try (InputStream in = CommandProperties.class.getClassLoader().getResourceAsStream("application.properties")) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            // no defaults
        }
        Map<String, String> env = System.getenv();
        return key -> {
            String v = System.getProperty(key);
            if (v == null) {
                v = env.get(key);
            }
            if (v == null) {
                v = env.get(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            }
            if (v == null) {
                v = defaults.getProperty(key);
            }
            return v == null || v.isBlank() ? null : v.trim();
        };
    }
}

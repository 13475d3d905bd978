package io.auditrelay.settings;

import org.apache.camel.CamelContext;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Typed access to the relay's properties ({@code application.properties}, overridden by
 * {@code -Dname=value} and by environment variables such as {@code RELAY_SINK_CSV_DIR}).
 */
public final class Settings {

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public Optional<String> find(String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim);
    }

    public String get(String key, String defaultValue) {
        return find(key).orElse(defaultValue);
    }

    /** A value that may be empty; returns null when unset or blank. */
    public String optional(String key) {
        return find(key).filter(v -> !v.isEmpty()).orElse(null);
    }

    public boolean bool(String key, boolean defaultValue) {
        return find(key).filter(v -> !v.isEmpty()).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    public double decimal(String key, double defaultValue) {
        String value = get(key, String.valueOf(defaultValue));
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Property " + key + " must be a number, not '" + value + "'");
        }
    }

    public int integer(String key, int defaultValue) {
        String value = get(key, String.valueOf(defaultValue));
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Property " + key + " must be a whole number, not '" + value + "'");
        }
    }

    /** The enabled sinks, from {@code relay.sinks}. */
    public List<String> sinks() {
        return list("relay.sinks", "csv,ndjson");
    }

    public boolean sinkEnabled(String name) {
        return sinks().contains(name);
    }

    /**
     * Every property whose key starts with {@code prefix}, for options passed through as they are (Kafka client
     * properties, webhook headers), placeholders in the values resolved: those of the property files and of Camel's
     * overrides, a file's key overridden by its environment variable ({@code relay.a.b-c} by {@code RELAY_A_B_C}), and
     * keys given as {@code -Dkey=value} (which Camel's {@code loadProperties} leaves out); a system property wins.
     * <p>
     * Keys are never looked up through the properties component: Camel's start-up summary would print the value of
     * an overridden key whose name it does not know as secret ({@code sasl.jaas.config}).
     */
    public static Properties withPrefix(CamelContext context, String prefix) {
        Properties all = context.getPropertiesComponent().loadProperties(key -> key.startsWith(prefix));
        for (String key : all.stringPropertyNames()) {
            String fromEnvironment = System.getenv(key.toUpperCase(java.util.Locale.ROOT).replaceAll("[.-]", "_"));
            if (fromEnvironment != null) {
                all.setProperty(key, fromEnvironment);
            }
        }
        Properties system = System.getProperties();
        for (String key : system.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                all.setProperty(key, system.getProperty(key));
            }
        }
        for (String key : all.stringPropertyNames()) {
            all.setProperty(key, context.resolvePropertyPlaceholders(all.getProperty(key)).trim());
        }
        return all;
    }

    public List<String> list(String key, String defaultValue) {
        return Arrays.stream(get(key, defaultValue).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

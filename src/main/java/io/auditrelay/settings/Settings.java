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
     * properties, webhook headers): those of the property files and of Camel's overrides, and those given as
     * {@code -Dkey=value}, which Camel's {@code loadProperties} leaves out; a system property wins.
     */
    public static Properties withPrefix(CamelContext context, String prefix) {
        Properties all = context.getPropertiesComponent().loadProperties(key -> key.startsWith(prefix));
        Properties system = System.getProperties();
        for (String key : system.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                all.setProperty(key, system.getProperty(key));
            }
        }
        return all;
    }

    public List<String> list(String key, String defaultValue) {
        return Arrays.stream(get(key, defaultValue).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

package io.auditrelay.sink.kafka;

import io.auditrelay.config.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import io.auditrelay.spine.DeadLetterStore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Binds the Kafka sink ({@code kafkaSink}, used by route sink-kafka of routes/sinks.yaml) from {@code relay.sink.kafka.*} and
 * starts it when {@code kafka} is listed in {@code relay.sinks}. {@code relay.sink.kafka.kafka.*} properties
 * (security.protocol, sasl.jaas.config, ...) are passed to the producer as they are.
 */
@Configuration
public class KafkaSinkConfiguration implements CamelConfiguration {

    static final String CLIENT_PREFIX = "relay.sink.kafka.kafka.";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        Map<String, Object> config = KafkaSink.producerConfig(settings.get("relay.sink.kafka.brokers", "localhost:9092"),
                settings.integer("relay.sink.kafka.linger-ms", 5),
                settings.integer("relay.sink.kafka.batch-bytes", 65536), clientProperties(context));
        DeadLetterStore deadLetters = context.getRegistry().lookupByNameAndType("deadLetters", DeadLetterStore.class);
        KafkaSink sink = new KafkaSink(config, settings.get("relay.sink.kafka.topic", "audit-events"), deadLetters);
        context.getRegistry().bind("kafkaSink", sink);
        if (settings.sinkEnabled(KafkaSink.NAME)) {
            context.addService(sink, true, true);
        }
    }

    /** {@code relay.sink.kafka.kafka.<client property>} (e.g. security.protocol, sasl.jaas.config) for the producer. */
    static Map<String, Object> clientProperties(CamelContext context) {
        Properties props = context.getPropertiesComponent().loadProperties(k -> k.startsWith(CLIENT_PREFIX));
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames()) {
            String value = context.resolvePropertyPlaceholders(props.getProperty(key)).trim();
            if (!value.isEmpty()) {
                out.put(key.substring(CLIENT_PREFIX.length()), value);
            }
        }
        return out;
    }
}

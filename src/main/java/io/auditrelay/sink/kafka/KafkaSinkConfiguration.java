package io.auditrelay.sink.kafka;

import io.auditrelay.config.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Binds the Kafka sink: the {@code kafkaSink} bean (record key, value and CloudEvents headers) and the
 * {@code auditKafka} component (a camel-kafka component configured from {@code relay.sink.kafka.*}) used by
 * routes/sink-kafka.yaml. The producer is idempotent with {@code acks=all}, and the route sends synchronously:
 * the source is acked only after the broker acked the record.
 *
 * <p>Throughput: camel-kafka's default {@code lingerMs=5} makes every synchronous send wait 5 ms for a batch
 * that never fills (~180 msg/s); {@code lingerMs=0} sends at once, so a send costs one broker round trip.
 * Per-event synchronous acks are still far slower than a batching client (see docs/kafka-sink.md); that is
 * the price of the spine's per-event "delivered or dead-lettered" contract.
 */
@Configuration
public class KafkaSinkConfiguration implements CamelConfiguration {

    static final String CLIENT_PREFIX = "relay.sink.kafka.kafka.";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        KafkaConfiguration config = new KafkaConfiguration();
        config.setBrokers(settings.get("relay.sink.kafka.brokers", "localhost:9092"));
        config.setRequestRequiredAcks("all");
        config.setEnableIdempotence(true);
        config.setLingerMs(settings.integer("relay.sink.kafka.linger-ms", 0));
        config.setHeaderFilterStrategy(KafkaSink.headerFilter());
        config.setAdditionalProperties(clientProperties(context));
        KafkaComponent component = new KafkaComponent();
        component.setConfiguration(config);
        context.getRegistry().bind("auditKafka", component);
        context.getRegistry().bind("kafkaSink", new KafkaSink());
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

package io.auditrelay.source.conduktor;

import io.auditrelay.config.Settings;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The Conduktor audit source on Kafka: binds {@code conduktorKafka} ({@link ConduktorKafkaSource}) used by
 * routes/source-conduktor-kafka.yaml and passes every {@code relay.source.conduktor.kafka.<client property>}
 * (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location, ...) to the Kafka client as
 * additional properties of the {@code kafka} component, so they never appear in an endpoint URI.
 * When {@code relay.source.conduktor.enabled=false} the route does not start and nothing here starts.
 */
@Configuration
public class ConduktorKafkaConfiguration implements CamelConfiguration {

    public static final String CLIENT_PREFIX = "relay.source.conduktor.kafka.";
    private static final Logger LOG = LoggerFactory.getLogger(ConduktorKafkaConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        boolean enabled = settings.bool("relay.source.conduktor.enabled", false);
        Map<String, Object> client = clientProperties(context.getPropertiesComponent());
        List<String> topics = settings.list("relay.source.conduktor.topic", "conduktor-audit-log");
        String groupId = settings.get("relay.source.conduktor.group-id", "audit-relay");
        OnceCoordinator coordinator = context.getRegistry().lookupByNameAndType("onceCoordinator", OnceCoordinator.class);

        Properties admin = new Properties();
        admin.putAll(client);
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.get("relay.source.conduktor.brokers", ""));
        ConduktorKafkaSource source = new ConduktorKafkaSource(context, topics, groupId, admin, coordinator);
        context.getRegistry().bind("conduktorKafka", source);
        if (!enabled) {
            return;
        }
        if (settings.optional("relay.source.conduktor.brokers") == null) {
            throw new IllegalArgumentException("relay.source.conduktor.enabled=true needs relay.source.conduktor.brokers");
        }
        KafkaComponent kafka = context.getComponent("kafka", KafkaComponent.class);
        kafka.getConfiguration().getAdditionalProperties().putAll(client);
        LOG.info("Conduktor source: topics {} on {}, group {}, client settings {}", topics,
                settings.get("relay.source.conduktor.brokers", ""), groupId, masked(client));
        if (coordinator != null) {
            coordinator.expect(ConduktorKafkaSource.SOURCE);
        }
        source.enable();
        context.addService(source, true, true);
    }

    /** Every {@code relay.source.conduktor.kafka.X} property as Kafka client property {@code X}. */
    public static Map<String, Object> clientProperties(PropertiesComponent properties) {
        Map<String, Object> out = new TreeMap<>();
        Properties all = properties.loadProperties(key -> key.startsWith(CLIENT_PREFIX));
        for (String key : all.stringPropertyNames()) {
            String value = properties.resolveProperty(key).orElse(all.getProperty(key)).trim();
            if (!value.isEmpty()) {
                out.put(key.substring(CLIENT_PREFIX.length()), value);
            }
        }
        return out;
    }

    /** The client properties for a log line: passwords, secrets, keys and JAAS configs replaced by ********. */
    public static Map<String, Object> masked(Map<String, Object> client) {
        Map<String, Object> out = new TreeMap<>();
        client.forEach((k, v) -> out.put(k, secret(k) ? "********" : v));
        return out;
    }

    static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("jaas") || k.contains("password") || k.contains("secret") || k.contains("token")
                || k.endsWith(".key") || k.contains("credentials");
    }
}

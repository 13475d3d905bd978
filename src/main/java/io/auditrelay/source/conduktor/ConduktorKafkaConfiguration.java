package io.auditrelay.source.conduktor;

import io.auditrelay.config.Settings;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The Conduktor audit source on Kafka: when {@code relay.source.conduktor.enabled=true}, starts
 * {@code conduktorKafka} ({@link ConduktorKafkaSource}) and its health check {@code conduktor-source}. Every
 * {@code relay.source.conduktor.kafka.<client property>} (security.protocol, sasl.mechanism, sasl.jaas.config,
 * ssl.truststore.location, ...) is passed to the Kafka consumer and admin clients as it is; the start-up log shows
 * them with secrets masked. When the source is disabled nothing here starts.
 */
@Configuration
public class ConduktorKafkaConfiguration implements CamelConfiguration {

    public static final String CLIENT_PREFIX = "relay.source.conduktor.kafka.";
    private static final Logger LOG = LoggerFactory.getLogger(ConduktorKafkaConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        if (!settings.bool("relay.source.conduktor.enabled", false)) {
            return;
        }
        String brokers = settings.optional("relay.source.conduktor.brokers");
        if (brokers == null) {
            throw new IllegalArgumentException("relay.source.conduktor.enabled=true needs relay.source.conduktor.brokers");
        }
        Map<String, Object> client = clientProperties(context.getPropertiesComponent());
        List<String> topics = settings.list("relay.source.conduktor.topic", "conduktor-audit-log");
        String groupId = settings.get("relay.source.conduktor.group-id", "audit-relay");
        OnceCoordinator coordinator = context.getRegistry().lookupByNameAndType("onceCoordinator", OnceCoordinator.class);

        Properties admin = new Properties();
        admin.putAll(client);
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        Properties consumer = new Properties();
        consumer.putAll(client);
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(settings.integer("relay.source.conduktor.max-poll-records", 500)));
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        ConduktorKafkaSource.Tuning tuning = new ConduktorKafkaSource.Tuning(
                settings.integer("relay.source.conduktor.batches-in-flight", 2),
                Duration.ofMillis(settings.integer("relay.source.conduktor.poll-timeout", 500)),
                Duration.ofMillis(settings.integer("relay.source.conduktor.shutdown-timeout", 30000)),
                Duration.ofMillis(settings.integer("relay.source.conduktor.retry-delay", 1000)));
        ConduktorKafkaSource source = new ConduktorKafkaSource(context, topics, consumer, admin, tuning, coordinator);
        context.getRegistry().bind("conduktorKafka", source);
        LOG.info("Conduktor source: topics {} on {}, group {}, client settings {}", topics, brokers, groupId, masked(client));
        ConduktorKafkaHealthCheck check = new ConduktorKafkaHealthCheck(source, topics);
        check.setCamelContext(context);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(check);
        }
        if (coordinator != null) {
            coordinator.expect(ConduktorKafkaSource.SOURCE);
        }
        // polling starts once the routes run (direct:source-conduktor-kafka has its consumer) and stops before them
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) throws Exception {
                ctx.addService(source, true, true);
            }
        });
        context.getManagementStrategy().addEventNotifier(source.shutdownListener());
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

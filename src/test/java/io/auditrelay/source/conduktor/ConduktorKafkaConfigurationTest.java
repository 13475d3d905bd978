package io.auditrelay.source.conduktor;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConduktorKafkaConfigurationTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"relay\" password=\"s3cr3t-pw\";";

    @Test
    void kafka_client_security_settings_reach_the_consumer_config_and_the_jaas_config_is_never_logged() throws Exception {
        Properties props = new Properties();
        props.put("relay.source.conduktor.enabled", "true");
        props.put("relay.source.conduktor.brokers", "broker-1:9093");
        props.put("relay.source.conduktor.kafka.security.protocol", "SASL_SSL");
        props.put("relay.source.conduktor.kafka.sasl.mechanism", "PLAIN");
        props.put("relay.source.conduktor.kafka.sasl.jaas.config", JAAS);
        props.put("relay.source.conduktor.kafka.ssl.truststore.location", "/etc/relay/truststore.jks");

        Logger logger = (Logger) LoggerFactory.getLogger(ConduktorKafkaConfiguration.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(props);
            new ConduktorKafkaConfiguration().configure(context);

            Properties consumer = context.getRegistry().lookupByNameAndType("conduktorKafka", ConduktorKafkaSource.class)
                    .consumerProperties();
            assertThat(consumer.getProperty("bootstrap.servers")).isEqualTo("broker-1:9093");
            assertThat(consumer.getProperty("enable.auto.commit")).isEqualTo("false");
            assertThat(HealthCheckRegistry.get(context).getCheck(ConduktorKafkaHealthCheck.ID)).isPresent();
            assertThat(consumer.getProperty("security.protocol")).isEqualTo("SASL_SSL");
            assertThat(consumer.getProperty("sasl.mechanism")).isEqualTo("PLAIN");
            assertThat(consumer.getProperty("sasl.jaas.config")).isEqualTo(JAAS);
            assertThat(consumer.getProperty("ssl.truststore.location")).isEqualTo("/etc/relay/truststore.jks");
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).isNotEmpty();
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("s3cr3t-pw")
                .doesNotContain("PlainLoginModule"));
        assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("SASL_SSL")
                .contains("sasl.jaas.config=********"));
    }

    @Test
    void a_disabled_source_creates_no_consumer_and_no_health_check() throws Exception {
        Properties props = new Properties();
        props.put("relay.source.conduktor.kafka.security.protocol", "SASL_SSL");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(props);
            new ConduktorKafkaConfiguration().configure(context);
            assertThat(context.getRegistry().lookupByName("conduktorKafka")).isNull();
            assertThat(HealthCheckRegistry.get(context).getCheck(ConduktorKafkaHealthCheck.ID)).isEmpty();
        }
    }

    @Test
    void an_enabled_source_without_brokers_is_refused_with_the_property_to_set() throws Exception {
        Properties props = new Properties();
        props.put("relay.source.conduktor.enabled", "true");
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(props);
            assertThatThrownBy(() -> new ConduktorKafkaConfiguration().configure(context))
                    .hasMessageContaining("relay.source.conduktor.brokers");
        }
    }
}

package io.auditrelay.source.conduktor;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The jar's route (routes/source-conduktor-kafka.yaml) and the endpoint's options, without a broker. */
class ConduktorEndpointTest {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"relay\" password=\"s3cr3t-pw\";";

    /** A context with application.properties, {@code overrides} on top, and the jar's Conduktor route. */
    static DefaultCamelContext jarRoute(Properties overrides) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("classpath:application.properties");
        context.getPropertiesComponent().setOverrideProperties(overrides);
        PluginHelper.getRoutesLoader(context).loadRoutes(
                PluginHelper.getResourceLoader(context).resolveResource("classpath:routes/source-conduktor-kafka.yaml"));
        return context;
    }

    /** The endpoint the jar's route reads from, as the route's {@code from:} and its parameters resolve. */
    static ConduktorEndpoint endpoint(DefaultCamelContext context) {
        String uri = context.getRouteDefinition("source-conduktor-kafka").getInput().getEndpointUri();
        return context.getEndpoint(uri, ConduktorEndpoint.class);
    }

    @Test
    void kafka_client_security_settings_reach_the_consumer_config_and_the_jaas_config_is_never_logged() throws Exception {
        Properties props = new Properties();
        props.put("relay.source.conduktor.enabled", "true");
        props.put("relay.source.conduktor.brokers", "broker-1:9093");
        props.put("relay.source.conduktor.kafka.security.protocol", "SASL_SSL");
        props.put("relay.source.conduktor.kafka.sasl.mechanism", "PLAIN");
        props.put("relay.source.conduktor.kafka.sasl.jaas.config", JAAS);
        props.put("relay.source.conduktor.kafka.ssl.truststore.location", "/etc/relay/truststore.jks");

        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (DefaultCamelContext context = jarRoute(props)) {
            ConduktorEndpoint endpoint = endpoint(context);
            Properties consumer = endpoint(context).consumerProperties();
            assertThat(consumer.getProperty("bootstrap.servers")).isEqualTo("broker-1:9093");
            assertThat(consumer.getProperty("group.id")).isEqualTo("audit-relay");
            assertThat(consumer.getProperty("enable.auto.commit")).isEqualTo("false");
            assertThat(consumer.getProperty("max.poll.records")).isEqualTo("500");
            assertThat(consumer.getProperty("security.protocol")).isEqualTo("SASL_SSL");
            assertThat(consumer.getProperty("sasl.mechanism")).isEqualTo("PLAIN");
            assertThat(consumer.getProperty("sasl.jaas.config")).isEqualTo(JAAS);
            assertThat(consumer.getProperty("ssl.truststore.location")).isEqualTo("/etc/relay/truststore.jks");
            assertThat(endpoint.toString()).doesNotContain("s3cr3t-pw");
            // the broker does not exist (nor the truststore): the Kafka client refuses to start, after the settings
            // were logged; nothing of the JAAS config may be in any log line, Camel's and Kafka's included
            assertThatThrownBy(context::start).hasStackTraceContaining("Kafka");
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).isNotEmpty();
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("s3cr3t-pw")
                .doesNotContain("PlainLoginModule"));
        assertThat(logs.list).allSatisfy(e -> {
            if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain("s3cr3t-pw");
            }
        });
        assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("SASL_SSL")
                .contains("sasl.jaas.config=********"));
    }

    @Test
    void a_disabled_source_creates_no_consumer_and_no_health_check() throws Exception {
        Properties props = new Properties();
        props.put("relay.source.conduktor.kafka.security.protocol", "SASL_SSL");
        try (DefaultCamelContext context = jarRoute(props)) {
            context.start();
            assertThat(context.getRouteController().getRouteStatus("source-conduktor-kafka")).isEqualTo(ServiceStatus.Stopped);
            assertThat(HealthCheckRegistry.get(context).getCheck(ConduktorKafkaHealthCheck.ID)).isEmpty();
        }
    }

    @Test
    void an_enabled_source_without_brokers_is_refused_with_the_property_to_set() throws Exception {
        Properties props = new Properties();
        props.put("relay.source.conduktor.enabled", "true");
        try (DefaultCamelContext context = jarRoute(props)) {
            assertThatThrownBy(context::start).hasStackTraceContaining("relay.source.conduktor.brokers");
        }
    }

    @Test
    void uri_options_reach_the_kafka_clients_and_secrets_are_masked_in_the_uri() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            ConduktorEndpoint endpoint = context.getEndpoint("audit-conduktor:audit-a,audit-b?brokers=b1:9092,b2:9092"
                    + "&groupId=g1&maxPollRecords=50&additionalProperties.session.timeout.ms=7000"
                    + "&sslTruststoreLocation=/etc/relay/trust:store.jks&saslJaasConfig=RAW(" + JAAS + ")",
                    ConduktorEndpoint.class);
            assertThat(endpoint.topicList()).containsExactly("audit-a", "audit-b");
            Properties consumer = endpoint.consumerProperties();
            assertThat(consumer.getProperty("bootstrap.servers")).isEqualTo("b1:9092,b2:9092");
            assertThat(consumer.getProperty("group.id")).isEqualTo("g1");
            assertThat(consumer.getProperty("max.poll.records")).isEqualTo("50");
            assertThat(consumer.get("session.timeout.ms")).isEqualTo("7000");
            assertThat(consumer.getProperty("ssl.truststore.location")).isEqualTo("/etc/relay/trust:store.jks");
            assertThat(consumer.getProperty("sasl.jaas.config")).isEqualTo(JAAS);
            assertThat(endpoint.adminProperties().getProperty("sasl.jaas.config")).isEqualTo(JAAS);
            assertThat(endpoint.toString()).doesNotContain("s3cr3t-pw");
            // Camel masks a password in additionalProperties, not a JAAS config: that one is warned about at start
            assertThat(ConduktorEndpoint.shownInUris("sasl.jaas.config")).isTrue();
            assertThat(ConduktorEndpoint.shownInUris("ssl.key.password")).isFalse();
            assertThat(ConduktorEndpoint.shownInUris("session.timeout.ms")).isFalse();
            assertThat(ConduktorEndpoint.masked(endpoint.clientProperties()).toString())
                    .doesNotContain("s3cr3t-pw").contains("sasl.jaas.config=********");
        }
    }

    @Test
    void the_kamelet_passes_its_properties_to_the_endpoint_intact_and_keeps_the_jaas_config_out_of_the_logs() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    // nothing listens on port 1: the consumer starts (SASL needs no connection for that) and its polls fail
                    from("kamelet:conduktor-audit-source?bootstrapServers=127.0.0.1:1&topic=audit.events&groupId=g-kamelet"
                            + "&securityProtocol=SASL_PLAINTEXT&saslMechanism=SCRAM-SHA-512&saslJaasConfig=RAW(" + JAAS + ")"
                            + "&sslTruststoreLocation=/etc/relay/certs:v1/trust store.jks&maxPollRecords=7&retryDelay=100")
                            .to("log:unused");
                }
            });
            context.start();
            ConduktorEndpoint endpoint = context.getEndpoints().stream().filter(ConduktorEndpoint.class::isInstance)
                    .map(ConduktorEndpoint.class::cast).findFirst().orElseThrow();
            Properties consumer = endpoint.consumerProperties();
            assertThat(consumer.getProperty("bootstrap.servers")).isEqualTo("127.0.0.1:1");
            assertThat(endpoint.topicList()).containsExactly("audit.events");
            assertThat(consumer.getProperty("group.id")).isEqualTo("g-kamelet");
            assertThat(consumer.getProperty("security.protocol")).isEqualTo("SASL_PLAINTEXT");
            assertThat(consumer.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
            assertThat(consumer.getProperty("sasl.jaas.config")).isEqualTo(JAAS);
            assertThat(consumer.getProperty("ssl.truststore.location")).isEqualTo("/etc/relay/certs:v1/trust store.jks");
            assertThat(consumer.getProperty("max.poll.records")).isEqualTo("7");
            assertThat(endpoint.getRetryDelay()).isEqualTo(100);
            assertThat(HealthCheckRegistry.get(context).getCheck(ConduktorKafkaHealthCheck.ID)).isPresent();
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).isNotEmpty();
        assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("s3cr3t-pw"));
    }
}

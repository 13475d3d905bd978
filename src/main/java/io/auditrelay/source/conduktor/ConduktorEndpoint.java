package io.auditrelay.source.conduktor;

import io.auditrelay.settings.Settings;
import io.auditrelay.source.InputLimitOptions;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.util.URISupport;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Conduktor audit events (CloudEvents on Kafka, structured JSON or binary mode with {@code ce_*} headers) from one
 * or more topics. One exchange per Kafka poll batch: the body is the batch's {@code List<SourceRecord>} in poll order
 * (binary-mode events rebuilt to structured JSON, each record's location {@code TOPIC/PARTITION/OFFSET}, a record
 * that can't be parsed is an "unparsable" record, not a failure), header {@code relayVendor} is {@code conduktor} and
 * {@code relayLocation} names the batch ({@code TOPIC/PARTITION/FIRST-LAST}, comma separated per partition).
 *
 * <p>A batch's offsets are committed only after its exchange completed without an exception, and in poll order; a
 * failed exchange makes the consumer seek back and read that batch (and the ones after it) again after
 * {@code retryDelay}. Up to {@code batchesInFlight} poll batches are between poll and commit: the next one is polled
 * and parsed while one is routed ({@link PipelinedKafkaPoller}).
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-conduktor", title = "Audit Conduktor Source",
        syntax = "audit-conduktor:topics", consumerOnly = true, remote = true,
        category = {Category.MESSAGING, Category.MONITORING})
public class ConduktorEndpoint extends DefaultEndpoint {

    @UriPath(description = "The topic(s) Conduktor exports its audit log to (CDK_AUDITLOGPUBLISHER_TOPICNAME), comma separated")
    @Metadata(required = true)
    private String topics;
    @UriParam(description = "Kafka bootstrap servers, host:port,host:port")
    @Metadata(required = true)
    private String brokers;
    @UriParam(defaultValue = "audit-relay", description = "The consumer group id; a restart resumes from its committed offsets")
    private String groupId = "audit-relay";
    @UriParam(defaultValue = "500", description = "Records per poll batch (one exchange); offsets are committed once per batch")
    private int maxPollRecords = 500;
    @UriParam(defaultValue = "500", description = "Milliseconds a poll waits for records")
    private long pollTimeout = 500;
    @UriParam(defaultValue = "2", label = "advanced",
            description = "Poll batches between poll and commit: the next one is polled and parsed while one is routed (1: one at a time)")
    private int batchesInFlight = 2;
    @UriParam(defaultValue = "67108864", label = "advanced",
            description = "Bytes of record keys and values (as the broker sent them) in the batches between poll and commit"
                    + " above which no further batch is polled until one is committed: the batches in flight are"
                    + " bounded by size as well as by number (a batch of large records may go over it alone)")
    private long maxBytesInFlight = 64L * 1024 * 1024;
    @UriParam(defaultValue = "1",
            description = "Poll batches (of those in flight) routed at once: batch k+1 goes through the route while batch k"
                    + " waits for its sinks' acknowledgements; each is committed in poll order. Above 1, after a failed batch"
                    + " a batch behind it that was already routed is routed again: only for a route that drops duplicates"
                    + " (the relay's spine does; 1: one at a time, in order)")
    private int deliveryThreads = 1;
    @UriParam(defaultValue = "30000", label = "advanced",
            description = "Milliseconds a stop waits for the batches in flight; what did not finish is read again after the restart")
    private long shutdownTimeout = 30_000;
    @UriParam(defaultValue = "1000", description = "Milliseconds before a failed batch (or poll) is read again")
    private long retryDelay = 1000;

    @UriParam(label = "security", description = "Kafka security.protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)")
    private String securityProtocol;
    @UriParam(label = "security", description = "Kafka sasl.mechanism (PLAIN, SCRAM-SHA-512, ...)")
    private String saslMechanism;
    @UriParam(label = "security", secret = true, description = "Kafka sasl.jaas.config")
    private String saslJaasConfig;
    @UriParam(label = "security", description = "Kafka ssl.truststore.location (a file path)")
    private String sslTruststoreLocation;
    @UriParam(label = "security", secret = true, description = "Kafka ssl.truststore.password")
    private String sslTruststorePassword;
    @UriParam(label = "security", description = "Kafka ssl.keystore.location (a file path)")
    private String sslKeystoreLocation;
    @UriParam(label = "security", secret = true, description = "Kafka ssl.keystore.password")
    private String sslKeystorePassword;
    @UriParam(label = "security", secret = true, description = "Kafka ssl.key.password")
    private String sslKeyPassword;
    @UriParam(label = "common", prefix = "additionalProperties.", multiValue = true,
            description = "Any other Kafka consumer property, passed as it is, e.g. additionalProperties.session.timeout.ms=10000 "
                    + "(secrets belong in the security options, which are masked in logged URIs)")
    private Map<String, Object> additionalProperties = new HashMap<>();
    @UriParam(label = "advanced",
            description = "Also pass every Camel property whose name starts with this prefix as a Kafka client property, "
                    + "the prefix removed (the jar's route uses relay.source.conduktor.kafka.); secrets stay out of the URI")
    private String clientPropertiesPrefix;

    @UriParam
    private InputLimitOptions inputLimits = new InputLimitOptions();

    public ConduktorEndpoint(String uri, ConduktorComponent component) {
        super(uri, component);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ConduktorConsumer consumer = new ConduktorConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("audit-conduktor is a source: use it in from:");
    }

    /** The topics of the path. */
    public List<String> topicList() {
        return Arrays.stream(topics == null ? new String[0] : topics.split(","))
                .map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    /**
     * The Kafka client properties other than the connection and consumer settings the source owns: those of
     * {@link #getClientPropertiesPrefix()}, then {@link #getAdditionalProperties()}, then the security options.
     */
    public Map<String, Object> clientProperties() {
        Map<String, Object> out = new TreeMap<>();
        if (clientPropertiesPrefix != null && !clientPropertiesPrefix.isBlank()) {
            Properties all = Settings.withPrefix(getCamelContext(), clientPropertiesPrefix);
            for (String key : all.stringPropertyNames()) {
                String value = all.getProperty(key);
                if (!value.isEmpty()) {
                    out.put(key.substring(clientPropertiesPrefix.length()), value);
                }
            }
        }
        additionalProperties.forEach((k, v) -> {
            if (v != null && !v.toString().isBlank()) {
                out.put(k, v);
            }
        });
        put(out, "security.protocol", securityProtocol);
        put(out, "sasl.mechanism", saslMechanism);
        put(out, "sasl.jaas.config", saslJaasConfig);
        put(out, "ssl.truststore.location", sslTruststoreLocation);
        put(out, "ssl.truststore.password", sslTruststorePassword);
        put(out, "ssl.keystore.location", sslKeystoreLocation);
        put(out, "ssl.keystore.password", sslKeystorePassword);
        put(out, "ssl.key.password", sslKeyPassword);
        return out;
    }

    private static void put(Map<String, Object> out, String key, String value) {
        if (value != null && !value.isBlank()) {
            out.put(key, value.trim());
        }
    }

    /**
     * The Kafka consumer's configuration: client properties, brokers, group, no auto-commit, String keys and byte
     * values (decoded by the consumer, so invalid UTF-8 is named).
     */
    public Properties consumerProperties() {
        requireBrokers();
        Properties consumer = new Properties();
        consumer.putAll(clientProperties());
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return consumer;
    }

    /** The Admin client's configuration (same connection settings), for the drain check of {@code relay.once}. */
    public Properties adminProperties() {
        requireBrokers();
        Properties admin = new Properties();
        admin.putAll(clientProperties());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        return admin;
    }

    private void requireBrokers() {
        if (brokers == null || brokers.isBlank()) {
            throw new IllegalArgumentException("audit-conduktor needs option brokers "
                    + "(in the jar: relay.source.conduktor.brokers, in the Kamelet: bootstrapServers)");
        }
        if (topicList().isEmpty()) {
            throw new IllegalArgumentException("audit-conduktor needs a topic (audit-conduktor:<topics>)");
        }
    }

    /** Client properties for a log line: passwords, secrets, keys and JAAS configs replaced by ********. */
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

    /** True for a secret-looking client property that Camel would show unmasked as {@code additionalProperties.<key>}. */
    static boolean shownInUris(String key) {
        return secret(key) && URISupport.sanitizeUri("audit-conduktor:t?additionalProperties." + key + "=probe").contains("probe");
    }

    Duration pollTimeoutDuration() {
        return Duration.ofMillis(pollTimeout);
    }

    Duration shutdownTimeoutDuration() {
        return Duration.ofMillis(shutdownTimeout);
    }

    Duration retryDelayDuration() {
        return Duration.ofMillis(retryDelay);
    }

    public String getTopics() {
        return topics;
    }

    public void setTopics(String topics) {
        this.topics = topics;
    }

    public String getBrokers() {
        return brokers;
    }

    public void setBrokers(String brokers) {
        this.brokers = brokers;
    }

    public String getGroupId() {
        return groupId;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    public int getMaxPollRecords() {
        return maxPollRecords;
    }

    public void setMaxPollRecords(int maxPollRecords) {
        this.maxPollRecords = maxPollRecords;
    }

    public long getPollTimeout() {
        return pollTimeout;
    }

    public void setPollTimeout(long pollTimeout) {
        this.pollTimeout = pollTimeout;
    }

    public int getBatchesInFlight() {
        return batchesInFlight;
    }

    public void setBatchesInFlight(int batchesInFlight) {
        this.batchesInFlight = batchesInFlight;
    }

    public long getMaxBytesInFlight() {
        return maxBytesInFlight;
    }

    public void setMaxBytesInFlight(long maxBytesInFlight) {
        this.maxBytesInFlight = maxBytesInFlight;
    }

    public int getDeliveryThreads() {
        return deliveryThreads;
    }

    public void setDeliveryThreads(int deliveryThreads) {
        this.deliveryThreads = deliveryThreads;
    }

    public long getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(long shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public long getRetryDelay() {
        return retryDelay;
    }

    public void setRetryDelay(long retryDelay) {
        this.retryDelay = retryDelay;
    }

    public String getSecurityProtocol() {
        return securityProtocol;
    }

    public void setSecurityProtocol(String securityProtocol) {
        this.securityProtocol = securityProtocol;
    }

    public String getSaslMechanism() {
        return saslMechanism;
    }

    public void setSaslMechanism(String saslMechanism) {
        this.saslMechanism = saslMechanism;
    }

    public String getSaslJaasConfig() {
        return saslJaasConfig;
    }

    public void setSaslJaasConfig(String saslJaasConfig) {
        this.saslJaasConfig = saslJaasConfig;
    }

    public String getSslTruststoreLocation() {
        return sslTruststoreLocation;
    }

    public void setSslTruststoreLocation(String sslTruststoreLocation) {
        this.sslTruststoreLocation = sslTruststoreLocation;
    }

    public String getSslTruststorePassword() {
        return sslTruststorePassword;
    }

    public void setSslTruststorePassword(String sslTruststorePassword) {
        this.sslTruststorePassword = sslTruststorePassword;
    }

    public String getSslKeystoreLocation() {
        return sslKeystoreLocation;
    }

    public void setSslKeystoreLocation(String sslKeystoreLocation) {
        this.sslKeystoreLocation = sslKeystoreLocation;
    }

    public String getSslKeystorePassword() {
        return sslKeystorePassword;
    }

    public void setSslKeystorePassword(String sslKeystorePassword) {
        this.sslKeystorePassword = sslKeystorePassword;
    }

    public String getSslKeyPassword() {
        return sslKeyPassword;
    }

    public void setSslKeyPassword(String sslKeyPassword) {
        this.sslKeyPassword = sslKeyPassword;
    }

    public Map<String, Object> getAdditionalProperties() {
        return additionalProperties;
    }

    public void setAdditionalProperties(Map<String, Object> additionalProperties) {
        this.additionalProperties = additionalProperties == null ? new HashMap<>() : additionalProperties;
    }

    public String getClientPropertiesPrefix() {
        return clientPropertiesPrefix;
    }

    public void setClientPropertiesPrefix(String clientPropertiesPrefix) {
        this.clientPropertiesPrefix = clientPropertiesPrefix;
    }

    public InputLimitOptions getInputLimits() {
        return inputLimits;
    }

    public void setInputLimits(InputLimitOptions inputLimits) {
        this.inputLimits = inputLimits;
    }
}

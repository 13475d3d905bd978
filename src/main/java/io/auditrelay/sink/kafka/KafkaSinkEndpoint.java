package io.auditrelay.sink.kafka;

import io.auditrelay.settings.Settings;
import io.auditrelay.event.EventSink;
import io.auditrelay.sink.SinkEndpoint;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.Category;
import org.apache.camel.Component;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Sends canonical events to a Kafka topic ({@link KafkaSink}): key = the canonical id, value = the canonical JSON,
 * CloudEvents binary-mode headers, an idempotent producer with acks=all. Records are sent without waiting; the flush
 * (at the end of each source unit) waits for the broker's acks.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-kafka", title = "Audit Kafka Sink", syntax = "audit-kafka:topic",
        producerOnly = true, category = {Category.MESSAGING})
public class KafkaSinkEndpoint extends SinkEndpoint {

    @UriPath(defaultValue = "audit-events", description = "The topic the events are written to")
    @Metadata(required = true)
    private String topic;
    @UriParam(defaultValue = "localhost:9092", description = "Bootstrap servers, host:port,host:port")
    private String brokers = "localhost:9092";
    @UriParam(defaultValue = "5", description = "Producer linger.ms: how long the producer waits to fill a batch")
    private int lingerMs = 5;
    @UriParam(defaultValue = "262144", description = "Producer batch.size in bytes")
    private int batchBytes = 262144;
    @UriParam(label = "security", prefix = "kafka.", multiValue = true, description = "Kafka client properties passed"
            + " to the producer as they are, each as kafka.<property>=<value> (e.g. kafka.security.protocol=SASL_SSL)")
    private Map<String, Object> kafkaProperties = new LinkedHashMap<>();
    @UriParam(label = "security", secret = true, description = "The producer's sasl.jaas.config (JAAS login context"
            + " parameters for SASL connections)")
    private String saslJaasConfig;
    @UriParam(label = "security", description = "A prefix of Camel properties passed to the producer as they are, the"
            + " prefix removed (the relay: relay.sink.kafka.kafka.); for client settings kept out of the URI")
    private String kafkaPropertiesPrefix;

    public KafkaSinkEndpoint(String uri, Component component) {
        super(uri, component);
    }

    @Override
    protected EventSink createSink(DeadLetterStore deadLetters) {
        Map<String, Object> client = new LinkedHashMap<>(fromProperties());
        kafkaProperties.forEach((key, value) -> {
            if (value != null && !String.valueOf(value).isBlank()) {
                client.put(key, value);
            }
        });
        if (blankToNull(saslJaasConfig) != null) {
            client.put("sasl.jaas.config", saslJaasConfig);
        }
        return new KafkaSink(KafkaSink.producerConfig(brokers, lingerMs, batchBytes, client), topic, deadLetters)
                .format(eventFormat());
    }

    /** The Camel properties under {@link #kafkaPropertiesPrefix}, prefix removed; blank values left out. */
    private Map<String, Object> fromProperties() {
        Map<String, Object> out = new LinkedHashMap<>();
        String prefix = blankToNull(kafkaPropertiesPrefix);
        if (prefix == null) {
            return out;
        }
        Properties props = Settings.withPrefix(getCamelContext(), prefix);
        for (String key : props.stringPropertyNames()) {
            String value = props.getProperty(key);
            if (!value.isEmpty()) {
                out.put(key.substring(prefix.length()), value);
            }
        }
        return out;
    }

    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public String getBrokers() {
        return brokers;
    }

    public void setBrokers(String brokers) {
        this.brokers = brokers;
    }

    public int getLingerMs() {
        return lingerMs;
    }

    public void setLingerMs(int lingerMs) {
        this.lingerMs = lingerMs;
    }

    public int getBatchBytes() {
        return batchBytes;
    }

    public void setBatchBytes(int batchBytes) {
        this.batchBytes = batchBytes;
    }

    public Map<String, Object> getKafkaProperties() {
        return kafkaProperties;
    }

    public void setKafkaProperties(Map<String, Object> kafkaProperties) {
        this.kafkaProperties = kafkaProperties;
    }

    public String getKafkaPropertiesPrefix() {
        return kafkaPropertiesPrefix;
    }

    public void setKafkaPropertiesPrefix(String kafkaPropertiesPrefix) {
        this.kafkaPropertiesPrefix = kafkaPropertiesPrefix;
    }

    public String getSaslJaasConfig() {
        return saslJaasConfig;
    }

    public void setSaslJaasConfig(String saslJaasConfig) {
        this.saslJaasConfig = saslJaasConfig;
    }
}

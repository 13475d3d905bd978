package io.auditrelay.sink.kafka;

import io.auditrelay.unit.RelayComponent;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.util.PropertiesHelper;

import java.util.Map;

/** {@code audit-kafka:<topic>}: the Kafka sink ({@link KafkaSink}) as an endpoint. */
@Component("audit-kafka")
public class KafkaSinkComponent extends RelayComponent {

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        KafkaSinkEndpoint endpoint = new KafkaSinkEndpoint(uri, this);
        endpoint.setTopic(remaining);
        Map<String, Object> client = PropertiesHelper.extractProperties(parameters, "kafka.");
        setProperties(endpoint, parameters);
        endpoint.getKafkaProperties().putAll(client);
        return endpoint;
    }
}

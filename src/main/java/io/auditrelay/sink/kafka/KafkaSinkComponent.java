package io.auditrelay.sink.kafka;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.util.PropertiesHelper;

import java.util.Map;

/** {@code audit-kafka:<topic>}: the Kafka sink ({@link KafkaSink}) as an endpoint. */
@Component("audit-kafka")
public class KafkaSinkComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        KafkaSinkEndpoint endpoint = new KafkaSinkEndpoint(uri, this);
        endpoint.setTopic(remaining);
        Map<String, Object> client = PropertiesHelper.extractProperties(parameters, "kafka.");
        setProperties(endpoint, parameters);
        endpoint.getKafkaProperties().putAll(client);
        return endpoint;
    }
}

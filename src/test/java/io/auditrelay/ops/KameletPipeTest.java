package io.auditrelay.ops;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Pipe-style binding of Kamelets only, as Camel K would run it: the Conduktor source Kamelet on a
 * real Kafka broker, the normalize action, and the CSV sink Kamelet, end to end.
 */
class KameletPipeTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void conduktor_source_to_normalize_action_to_csv_sink_moves_events_end_to_end() throws Exception {
        KafkaServer kafka = KafkaServer.shared();
        String topic = "pipe-" + System.nanoTime();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 1; i <= 3; i++) {
                producer.send(new ProducerRecord<>(topic, "{\"specversion\":\"1.0\",\"id\":\"pipe-" + i + "\","
                        + "\"source\":\"//kafka/kafkacluster/production/topic/orders-" + i + "\","
                        + "\"type\":\"AuditLogEventType(Kafka,Topic,Create)\",\"time\":\"2024-10-10T07:52:0" + i + ".483140Z\","
                        + "\"datacontenttype\":\"application/json\",\"data\":{\"eventType\":\"Kafka.Topic.Create\"}}")).get();
            }
        }

        // what the sink Kamelets (kafka, webhook, s3) take the event id, action and vendor from
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:conduktor-audit-source?bootstrapServers=" + kafka.bootstrapServers() + "&topic=" + topic
                            + "&groupId=pipe-test")
                            .to("kamelet:audit-normalize-action?vendor=conduktor&org=acme&stateDir=" + dir.resolve("state")
                                    + "&dlqDir=" + dir.resolve("dlq"))
                            .process(e -> ((List<AuditEvent>) e.getMessage().getBody(List.class))
                                    .forEach(event -> events.add(event.id() + " " + event.action() + " " + event.vendor())))
                            .to("kamelet:audit-csv-sink?directory=" + dir.resolve("csv"));
                }
            });
            context.start();
            RelayRunner.await(Duration.ofSeconds(60), () -> Output.lines(dir.resolve("csv")).size() == 4);
        }

        List<String> rows = Output.lines(dir.resolve("csv")).subList(1, 4);
        assertThat(rows).extracting(r -> r.substring(0, r.indexOf(',')))
                .containsExactly("conduktor:pipe-1", "conduktor:pipe-2", "conduktor:pipe-3");
        assertThat(rows).allSatisfy(r -> assertThat(r).contains(",conduktor,Kafka.Topic.Create,create,unknown,")
                .contains(",topic,//kafka/kafkacluster/production/topic/orders-"));
        assertThat(rows.get(0)).contains(",acme,");
        assertThat(events).containsExactly("conduktor:pipe-1 Kafka.Topic.Create conduktor",
                "conduktor:pipe-2 Kafka.Topic.Create conduktor", "conduktor:pipe-3 Kafka.Topic.Create conduktor");
    }
}

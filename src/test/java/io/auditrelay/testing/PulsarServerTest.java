package io.auditrelay.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealServers.class)
class PulsarServerTest {

    @Test
    @Timeout(300)
    void producesAndConsumesTenMessagesThroughARealStandalone(PulsarServer pulsar) throws Exception {
        assertThat(pulsar.serviceUrl()).startsWith("pulsar://127.0.0.1:");
        String topic = "persistent://public/default/it-" + UUID.randomUUID();
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .operationTimeout(30, TimeUnit.SECONDS).build()) {
            assertThat(roundTrip(client, topic)).hasSize(10).first().isEqualTo("event-0");
        }
    }

    static List<String> roundTrip(PulsarClient client, String topic) throws Exception {
        List<String> received = new ArrayList<>();
        try (Consumer<String> consumer = client.newConsumer(Schema.STRING).topic(topic)
                .subscriptionName("it").subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                .subscribe();
             Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create()) {
            for (int i = 0; i < 10; i++) {
                producer.send("event-" + i);
            }
            for (int i = 0; i < 10; i++) {
                Message<String> m = consumer.receive(30, TimeUnit.SECONDS);
                assertThat(m).as("message %d", i).isNotNull();
                received.add(m.getValue());
                consumer.acknowledge(m);
            }
        }
        assertThat(received).containsExactly("event-0", "event-1", "event-2", "event-3", "event-4",
                "event-5", "event-6", "event-7", "event-8", "event-9");
        return received;
    }
}

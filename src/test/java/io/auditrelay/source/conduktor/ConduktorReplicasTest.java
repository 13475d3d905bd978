package io.auditrelay.source.conduktor;

import io.auditrelay.spine.IdHashSet;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two relays of one consumer group sharing a state directory, as replicas on one volume: what one delivered, the
 * other skips when the same event reaches it later (a vendor's repeat on another partition, or a partition read again
 * from its last commit after it moved).
 */
@Timeout(180)
class ConduktorReplicasTest {

    @TempDir
    Path dir;

    private final KafkaServer kafka = KafkaServer.shared();
    private final List<RelayRunner> relays = new ArrayList<>();

    @AfterEach
    void stop() {
        relays.forEach(RelayRunner::stop);
    }

    @Test
    void an_event_one_replica_delivered_is_a_duplicate_for_the_other_when_it_comes_again() throws Exception {
        String topic = "conduktor-replicas-" + UUID.randomUUID();
        String group = "g-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            for (String name : List.of("a", "b")) {
                RelayRunner relay = RelayRunner.inDir(dir.resolve(name))
                        .with("relay.state.dir", dir.resolve("shared-state").toString())
                        .with("relay.inbox.enabled", "false")
                        .with("relay.sinks", "csv")
                        .with("relay.dedupe.peer-refresh-ms", "0")
                        .with("relay.source.conduktor.enabled", "true")
                        .with("relay.source.conduktor.brokers", kafka.bootstrapServers())
                        .with("relay.source.conduktor.topic", topic)
                        .with("relay.source.conduktor.group-id", group)
                        .with("relay.source.conduktor.poll-timeout", "200");
                relays.add(relay);
                relay.start();
            }
            RelayRunner.await(Duration.ofSeconds(90), () -> onePartitionEach(admin, group));
        }

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(topic, 0, null, event("repeated"))).get();
            RelayRunner.await(Duration.ofSeconds(60), () -> confirmed("conduktor:repeated"));
            producer.send(new ProducerRecord<>(topic, 1, null, event("repeated"))).get();
            producer.send(new ProducerRecord<>(topic, 1, null, event("after"))).get();
        }
        RelayRunner.await(Duration.ofSeconds(60), () -> delivered().contains("conduktor:after"));

        assertThat(delivered()).as("delivered by the replica of partition 0 only, then skipped by the other")
                .containsExactlyInAnyOrder("conduktor:repeated", "conduktor:after");
    }

    private static String event(String id) {
        return ConduktorKafkaSourceTest.structured(id, "Kafka.Topic.Create");
    }

    private static boolean onePartitionEach(Admin admin, String group) {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(10, TimeUnit.SECONDS).get(group);
            return description.members().size() == 2 && description.members().stream()
                    .map(MemberDescription::assignment).allMatch(a -> a.topicPartitions().size() == 1);
        } catch (Exception e) {
            return false;
        }
    }

    /** Whether a replica's dedupe store file holds the id: its unit was delivered and confirmed. */
    private boolean confirmed(String id) {
        long[] hash = IdHashSet.hash(id);
        String line = HexFormat.of().toHexDigits(hash[0]) + HexFormat.of().toHexDigits(hash[1]);
        try (Stream<Path> files = Files.list(dir.resolve("shared-state"))) {
            return files.filter(f -> f.getFileName().toString().matches("dedupe-ids(-\\d+)?\\.txt")).anyMatch(f -> {
                try {
                    return Files.readAllLines(f).stream().anyMatch(l -> l.startsWith(line));
                } catch (IOException e) {
                    return false; // replaced meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> delivered() {
        List<String> ids = new ArrayList<>();
        relays.forEach(relay -> ids.addAll(ConduktorKafkaSourceTest.csvIds(relay)));
        return ids;
    }
}

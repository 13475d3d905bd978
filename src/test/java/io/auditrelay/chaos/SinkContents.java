package io.auditrelay.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.sink.CsvFileSink;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** The event ids each sink holds, duplicates included, read as a consumer of that sink would. */
final class SinkContents {

    private SinkContents() {
    }

    /**
     * The ids of every CSV file of the folder, read with Commons CSV's RFC 4180 format: an unbalanced quote or a row
     * whose column count differs from the header's fails.
     */
    static List<String> csv(Path dir) {
        List<String> ids = new ArrayList<>();
        for (Path file : files(dir, ".csv")) {
            try (CSVParser parser = CSVParser.parse(file, StandardCharsets.UTF_8, CSVFormat.RFC4180)) {
                List<CSVRecord> records = parser.getRecords();
                if (records.isEmpty() || !String.join(",", records.get(0).toList()).equals(CsvFileSink.HEADER)) {
                    throw new AssertionError(file + " does not start with the header");
                }
                for (CSVRecord record : records.subList(1, records.size())) {
                    if (record.size() != records.get(0).size()) {
                        throw new AssertionError(file + " record " + record.getRecordNumber() + " has " + record.size()
                                + " columns: " + record);
                    }
                    ids.add(record.get(0));
                }
            } catch (IOException | UncheckedIOException e) {
                throw new AssertionError(file + " is not clean CSV: " + e.getMessage(), e);
            }
        }
        return ids;
    }

    /** The ids of every line of every NDJSON file of the folder. */
    static List<String> ndjson(Path dir) {
        List<String> ids = new ArrayList<>();
        for (Path file : files(dir, ".ndjson")) {
            try (Stream<String> lines = Files.lines(file)) {
                lines.forEach(line -> ids.add(parse(line).get("id").asText()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return ids;
    }

    /** Lines in one NDJSON day file (0 if there is none yet): cheap enough to watch progress with. */
    static long lines(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The ids of every object in the bucket (gzipped NDJSON). */
    static List<String> s3(S3Client client, String bucket) {
        List<String> ids = new ArrayList<>();
        for (String key : S3ProxyServer.keys(client, bucket)) {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(client.getObject(b -> b.bucket(bucket).key(key))), StandardCharsets.UTF_8))) {
                reader.lines().forEach(line -> ids.add(parse(line).get("id").asText()));
            } catch (IOException e) {
                throw new UncheckedIOException(key, e);
            }
        }
        return ids;
    }

    /** The keys of every record of the topic, from the beginning to its end now. */
    static List<String> kafka(String brokers, String topic) {
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ConsumerConfig.GROUP_ID_CONFIG, "chaos-check-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    keys.add(record.key());
                }
            }
        }
        return keys;
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(line, e);
        }
    }
}

package io.auditrelay.source.conduktor;

import io.auditrelay.event.SourceRecord;
import io.auditrelay.source.InputLimits;
import io.auditrelay.source.JsonRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message over {@code relay.input.max-record-bytes} is dead-lettered with its size, unparsed, and the messages of
 * the same poll batch around it are read as usual; a Pulsar payload that is not UTF-8 is named as such.
 */
class OversizedMessageTest {

    private static final InputLimits LIMITS = new InputLimits(1024, 1024, 100, InputLimits.MIB, 200, 50);

    private static ConsumerRecord<String, byte[]> record(long offset, String value) {
        return record(offset, value.getBytes(StandardCharsets.UTF_8), new RecordHeaders());
    }

    private static ConsumerRecord<String, byte[]> record(long offset, byte[] value, RecordHeaders headers) {
        return new ConsumerRecord<>("audit", 0, offset, 0L, TimestampType.CREATE_TIME, 0,
                value == null ? -1 : value.length, null, value, headers, Optional.empty());
    }

    @Test
    void a_kafka_message_over_the_record_limit_is_dead_lettered_unparsed_and_its_neighbours_flow() {
        TopicPartition partition = new TopicPartition("audit", 0);
        ConsumerRecords<String, byte[]> batch = new ConsumerRecords<>(Map.of(partition, List.of(
                record(7, "{\"id\":\"a\"}"), record(8, "{\"id\":\"big\",\"x\":\"" + "y".repeat(5000) + "\"}"),
                record(9, "{\"id\":\"b\"}"))));

        List<SourceRecord> unit = ConduktorConsumer.unit(batch, new JsonRecords(LIMITS)).records();

        assertThat(unit).extracting(SourceRecord::location).containsExactly("audit/0/7", "audit/0/8", "audit/0/9");
        assertThat(unit.get(0).problem()).isNull();
        assertThat(unit.get(1).problem()).isEqualTo("record of 5019 bytes is larger than relay.input.max-record-bytes"
                + " (1024 bytes); not parsed");
        assertThat(unit.get(1).text()).hasSizeLessThanOrEqualTo(4096);
        assertThat(unit.get(2).record().get("id").asText()).isEqualTo("b");
    }

    @Test
    void a_kafka_message_that_is_not_utf8_is_dead_lettered_with_the_byte_and_its_neighbours_flow() {
        TopicPartition partition = new TopicPartition("audit", 0);
        byte[] bad = {'{', '"', 'i', 'd', '"', ':', '"', 'x', (byte) 0xC3, '"', '}'};
        RecordHeaders binary = new RecordHeaders();
        binary.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        binary.add("ce_id", "c".getBytes(StandardCharsets.UTF_8));
        RecordHeaders noData = new RecordHeaders();
        noData.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        noData.add("ce_id", "d".getBytes(StandardCharsets.UTF_8));
        ConsumerRecords<String, byte[]> batch = new ConsumerRecords<>(Map.of(partition, List.of(
                record(3, "{\"id\":\"a\"}"), record(4, bad, new RecordHeaders()), record(5, bad, binary),
                record(6, "{\"user\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8), binary),
                record(7, null, noData))));

        List<SourceRecord> unit = ConduktorConsumer.unit(batch, new JsonRecords(LIMITS)).records();

        assertThat(unit.get(0).record().get("id").asText()).isEqualTo("a");
        assertThat(unit.get(1).problem()).isEqualTo("invalid UTF-8 at byte 9");
        assertThat(unit.get(1).location()).isEqualTo("audit/0/4");
        assertThat(unit.get(2).problem()).as("checked before the binary-mode event is rebuilt")
                .isEqualTo("invalid UTF-8 at byte 9");
        assertThat(unit.get(3).problem()).isNull();
        assertThat(unit.get(3).record().get("id").asText()).isEqualTo("c");
        assertThat(unit.get(3).record().get("data").get("user").asText()).isEqualTo("\u00e9");
        assertThat(unit.get(4).problem()).isNull();
        assertThat(unit.get(4).record().get("id").asText()).isEqualTo("d");
        assertThat(unit.get(4).record().has("data")).isFalse();
    }

    @Test
    void a_payload_that_is_not_utf8_or_too_large_or_too_deep_is_unparsable_with_the_reason() {
        JsonRecords json = new JsonRecords(LIMITS);

        assertThat(json.parse("astra", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'}, "t/1").problem())
                .isEqualTo("invalid UTF-8 at byte 7");
        assertThat(json.parse("astra", new byte[2000], "t/2").problem()).contains("larger than relay.input.max-record-bytes");
        assertThat(json.parse("astra", ("{\"a\":" + "[".repeat(60) + "]".repeat(60) + "}").getBytes(StandardCharsets.UTF_8),
                "t/3").problem()).contains("nesting depth");
        assertThat(json.parse("astra", "{\"a\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8), "t/4").problem()).isNull();
    }
}

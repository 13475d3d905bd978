package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures from {@code src/test/resources/fixtures} and a fixed mapping context. */
final class Fixtures {

    static final Instant RECEIVED = Instant.parse("2024-11-01T10:00:00.123456Z");
    static final MappingContext CONTEXT = new MappingContext(RECEIVED, "default-org");

    private Fixtures() {
    }

    static JsonNode json(String path) {
        try (InputStream in = open(path)) {
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(path, e);
        }
    }

    static ObjectNode object(String path) {
        return (ObjectNode) json(path);
    }

    static List<JsonNode> ndjson(String path) {
        List<JsonNode> rows = new ArrayList<>();
        try (InputStream in = open(path)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    rows.add(Json.MAPPER.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(path, e);
        }
        return rows;
    }

    /** CSV rows as objects of string columns, the way the CSV route hands them to a mapper. */
    static List<ObjectNode> csv(String path) {
        List<ObjectNode> rows = new ArrayList<>();
        try (Reader reader = new InputStreamReader(open(path), StandardCharsets.UTF_8);
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
            for (CSVRecord record : parser) {
                ObjectNode row = Json.MAPPER.createObjectNode();
                record.toMap().forEach(row::put);
                rows.add(row);
            }
        } catch (IOException e) {
            throw new IllegalStateException(path, e);
        }
        return rows;
    }

    private static InputStream open(String path) {
        InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path);
        if (in == null) {
            throw new IllegalStateException("no fixture " + path);
        }
        return in;
    }
}

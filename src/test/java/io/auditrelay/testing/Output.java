package io.auditrelay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads what the relay wrote: sink files and the dead-letter store. */
public final class Output {

    private Output() {
    }

    /** Every line of every file in {@code dir} (sorted by file name), or none if the folder doesn't exist. */
    public static List<String> lines(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                out.addAll(Files.readAllLines(file));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON objects of every line of every file in {@code dir} (an NDJSON sink folder). */
    public static List<JsonNode> json(Path dir) {
        return lines(dir).stream().map(Output::parse).toList();
    }

    /** The entries of a JSON-lines file (the dead-letter store), or none if it doesn't exist. */
    public static List<JsonNode> jsonFile(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(Output::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The canonical ids in an NDJSON sink folder, in file and line order. */
    public static List<String> ids(Path ndjsonDir) {
        return json(ndjsonDir).stream().map(n -> n.get("id").asText()).toList();
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of gzipped bytes (an S3 sink object). */
    public static String gunzip(byte[] bytes) {
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

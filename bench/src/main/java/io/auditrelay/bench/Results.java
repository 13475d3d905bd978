package io.auditrelay.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects the measurements: results.json (rewritten after every section) and a markdown table. */
final class Results {

    private final Path file;
    final ObjectNode json = Json.MAPPER.createObjectNode();
    private final List<String[]> rows = new ArrayList<>();

    Results(Path file) {
        this.file = file;
    }

    void row(String section, String what, String value, String note) {
        rows.add(new String[] {section, what, value, note == null ? "" : note});
    }

    void save() throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Json.MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n");
    }

    String markdown() {
        StringBuilder b = new StringBuilder("| section | measurement | value | note |\n|---|---|---|---|\n");
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return b.toString();
    }

    static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}

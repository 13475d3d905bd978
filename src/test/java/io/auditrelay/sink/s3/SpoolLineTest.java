package io.auditrelay.sink.s3;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The spool's torn-line cut relies on a spool line holding no raw line break but its end. */
class SpoolLineTest {

    @TempDir
    Path dir;

    private static AuditEvent event(String id, String name) {
        return new AuditEvent(id, "2024-06-01T10:00:00Z", "2026-01-01T00:00:00Z", "airkit", "user_login", Activity.LOGIN,
                Outcome.SUCCESS, new AuditEvent.Actor("u-1", "a@example.com"), new AuditEvent.Resource("app", "app-1", name),
                "org-1", JsonNodeFactory.instance.objectNode().put("note", name));
    }

    private static byte[] spoolLine(AuditEvent event) throws Exception {
        return SpoolBatch.record(event.id(), "test/loc\nation", new NdjsonGzipFormat().line(event));
    }

    @Test
    void a_spool_line_of_values_with_line_breaks_holds_one_raw_line_break_its_end() throws Exception {
        byte[] line = spoolLine(event("airkit:e1", "a\nb\r\nc\td"));
        int breaks = 0;
        for (byte b : line) {
            breaks += b == '\n' || b == '\r' ? 1 : 0;
        }
        assertThat(breaks).isEqualTo(1);
        assertThat(line[line.length - 1]).isEqualTo((byte) '\n');
    }

    @Test
    void a_line_torn_right_after_an_escaped_line_break_is_cut_and_the_whole_lines_are_kept() throws Exception {
        SpoolBatch batch = SpoolBatch.create(dir, "p-1", "p");
        byte[] first = spoolLine(event("airkit:e1", "one\ntwo"));
        batch.append(first, first.length);
        batch.force();
        batch.close();
        byte[] second = spoolLine(event("airkit:e2", "torn\nhere"));
        String text = new String(second, StandardCharsets.UTF_8);
        int cut = text.indexOf("torn\\n") + "torn\\n".length();
        Files.write(batch.file, Arrays.copyOf(second, cut), StandardOpenOption.APPEND);

        SpoolBatch recovered = SpoolBatch.recover(dir, "p-1", "p");
        List<String> ids = new ArrayList<>();
        recovered.forEachEvent(new NdjsonGzipFormat(), (event, location) -> ids.add(event.id() + " " + location));
        recovered.close();
        assertThat(ids).containsExactly("airkit:e1 test/loc\nation");
        assertThat(Files.size(batch.file)).isEqualTo(first.length);
    }
}

package io.auditrelay.sink.s3;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.ocsf.OcsfClass;
import io.auditrelay.sink.EventFormat;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Gzipped NDJSON of OCSF events. The spool keeps the canonical lines (so a batch's dead letters are canonical events,
 * as with every sink); the encoder renders each line as OCSF while the object is written. With a
 * {@link SecurityLake} layout the keys follow Amazon Security Lake's custom-source layout, one OCSF class per object.
 */
public class OcsfGzipFormat extends NdjsonGzipFormat {

    private final EventFormat format;
    private final SecurityLake lake;

    /**
     * Amazon Security Lake's custom-source layout:
     * {@code ext/<source>/region=<region>/accountId=<accountId>/eventDay=<yyyyMMdd>/<class_uid>-<hash>.ndjson.gz}.
     */
    public record SecurityLake(String source, String region, String accountId) {

        public SecurityLake {
            for (String[] option : new String[][] {{"securityLakeSource", source}, {"region", region},
                    {"securityLakeAccountId", accountId}}) {
                if (option[1] == null || option[1].isBlank() || option[1].contains("/")) {
                    throw new IllegalArgumentException("audit-s3: layout=security-lake needs " + option[0]
                            + " (no '/'), not '" + option[1] + "'");
                }
            }
        }
    }

    public OcsfGzipFormat(EventFormat format, SecurityLake lake) {
        this.format = format;
        this.lake = lake;
    }

    /** With Security Lake: the key path and the OCSF class, {@code <path>#<class_uid>}; else the canonical partition. */
    @Override
    public String partition(AuditEvent event) {
        if (lake == null) {
            return super.partition(event);
        }
        String time = event.time();
        if (time == null || time.length() < 10) {
            throw new IllegalArgumentException("event " + event.id() + " has no ISO-8601 time: " + time);
        }
        String day = time.substring(0, 4) + time.substring(5, 7) + time.substring(8, 10);
        return "ext/" + lake.source() + "/region=" + lake.region() + "/accountId=" + lake.accountId()
                + "/eventDay=" + day + "#" + OcsfClass.of(event).uid();
    }

    @Override
    public String objectName(String partition, String hash) {
        int cls = partition.lastIndexOf('#');
        if (lake == null || cls < 0) {
            return super.objectName(partition, hash);
        }
        return partition.substring(0, cls) + "/" + partition.substring(cls + 1) + "-" + hash + extension();
    }

    @Override
    public OutputStream encoder(OutputStream out) throws IOException {
        return new OcsfLines(super.encoder(out), format);
    }

    /** Turns each canonical line written to it into the OCSF line of the event. */
    private static final class OcsfLines extends FilterOutputStream {

        private final EventFormat format;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);

        OcsfLines(OutputStream out, EventFormat format) {
            super(out);
            this.format = format;
        }

        @Override
        public void write(int b) throws IOException {
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line.write(b, start, i - start);
                    emit();
                    start = i + 1;
                }
            }
            line.write(b, start, off + len - start);
        }

        private void emit() throws IOException {
            if (line.size() > 0) {
                AuditEvent event = Json.MAPPER.readValue(line.toByteArray(), AuditEvent.class);
                out.write(format.bytes(event));
                out.write('\n');
            }
            line.reset();
        }

        @Override
        public void close() throws IOException {
            emit();
            super.close();
        }
    }
}

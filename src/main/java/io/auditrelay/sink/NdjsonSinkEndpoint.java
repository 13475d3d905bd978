package io.auditrelay.sink;

import io.auditrelay.event.EventSink;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.Category;
import org.apache.camel.Component;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriPath;

import java.nio.file.Path;

/**
 * Appends canonical events, one JSON line each, to one file per UTC day of the event time
 * ({@code audit-YYYY-MM-DD.ndjson}) in the directory, skipping ids it already holds after a restart
 * ({@link NdjsonFileSink}).
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-ndjson", title = "Audit NDJSON Sink", syntax = "audit-ndjson:directory",
        producerOnly = true, remote = false, category = {Category.FILE})
public class NdjsonSinkEndpoint extends SinkEndpoint {

    @UriPath(description = "The folder the daily NDJSON files are written to")
    @Metadata(required = true)
    private String directory;

    public NdjsonSinkEndpoint(String uri, Component component) {
        super(uri, component);
    }

    @Override
    protected EventSink createSink(DeadLetterStore deadLetters) {
        return new NdjsonFileSink(Path.of(directory), eventFormat());
    }

    public String getDirectory() {
        return directory;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }
}

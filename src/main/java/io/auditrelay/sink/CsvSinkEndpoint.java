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
 * Appends canonical events to one RFC 4180 CSV file per UTC day of the event time ({@code audit-YYYY-MM-DD.csv},
 * with a header row) in the directory, skipping ids it already holds after a restart ({@link CsvFileSink}).
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-csv", title = "Audit CSV Sink", syntax = "audit-csv:directory",
        producerOnly = true, remote = false, category = {Category.FILE})
public class CsvSinkEndpoint extends SinkEndpoint {

    @UriPath(description = "The folder the daily CSV files are written to")
    @Metadata(required = true)
    private String directory;

    public CsvSinkEndpoint(String uri, Component component) {
        super(uri, component);
    }

    @Override
    protected EventSink createSink(DeadLetterStore deadLetters) {
        if (eventFormat().ocsf()) {
            throw new IllegalArgumentException("the CSV sink writes the canonical columns only: format=ocsf is for the"
                    + " ndjson, s3, kafka and webhook sinks");
        }
        return new CsvFileSink(Path.of(directory));
    }

    public String getDirectory() {
        return directory;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }
}

package io.auditrelay.sink;

import io.auditrelay.config.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

import java.nio.file.Path;

/** Binds the CSV and NDJSON file sinks ({@code csvSink}, {@code ndjsonSink}) and starts the enabled ones. */
@Configuration
public class FileSinksConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        CsvFileSink csv = new CsvFileSink(Path.of(settings.get("relay.sink.csv.dir", "data/out/csv")));
        NdjsonFileSink ndjson = new NdjsonFileSink(Path.of(settings.get("relay.sink.ndjson.dir", "data/out/ndjson")));
        context.getRegistry().bind("csvSink", csv);
        context.getRegistry().bind("ndjsonSink", ndjson);
        if (settings.sinkEnabled(csv.name())) {
            context.addService(csv, true, true);
        }
        if (settings.sinkEnabled(ndjson.name())) {
            context.addService(ndjson, true, true);
        }
    }
}

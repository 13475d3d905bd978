package io.auditrelay.sink.webhook;

import io.auditrelay.config.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Binds the webhook sink ({@code webhookSink}, used by route sink-webhook of routes/sinks.yaml) from {@code relay.sink.webhook.*}
 * and starts it when {@code webhook} is in {@code relay.sinks}.
 */
@Configuration
public class WebhookSinkConfiguration implements CamelConfiguration {

    static final String HEADERS_PREFIX = "relay.sink.webhook.headers.";

    /** The sink's settings; {@link #toString()} hides the secret. */
    public record Options(URI url, String secret, int batchSize, Duration batchInterval, Duration timeout, int maxRetries,
                          Duration backoff, Duration maxBackoff, Map<String, String> headers) {
        @Override
        public String toString() {
            return "Options[url=" + url + ", secret=***, batchSize=" + batchSize + ", headers=" + headers.keySet() + "]";
        }
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        String url = settings.optional("relay.sink.webhook.url");
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Properties props = context.getPropertiesComponent().loadProperties(k -> k.startsWith(HEADERS_PREFIX));
        for (String key : props.stringPropertyNames()) {
            headers.put(key.substring(HEADERS_PREFIX.length()), context.resolvePropertyPlaceholders(props.getProperty(key)).trim());
        }
        Options options = new Options(url == null ? null : URI.create(url),
                settings.optional("relay.sink.webhook.secret"),
                settings.integer("relay.sink.webhook.batch-size", 1),
                Duration.ofMillis(settings.integer("relay.sink.webhook.batch-interval", 200)),
                Duration.ofMillis(settings.integer("relay.sink.webhook.timeout", 10_000)),
                settings.integer("relay.sink.webhook.max-retries", settings.integer("relay.sink.max-retries", 3)),
                Duration.ofMillis(settings.integer("relay.sink.webhook.backoff", 1000)),
                Duration.ofMillis(settings.integer("relay.sink.webhook.max-backoff", 30_000)),
                Map.copyOf(headers));
        WebhookSink sink = new WebhookSink(options);
        context.getRegistry().bind("webhookSink", sink);
        if (settings.sinkEnabled(sink.name())) {
            sink.open();
        }
    }
}

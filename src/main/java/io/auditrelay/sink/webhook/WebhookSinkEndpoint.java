package io.auditrelay.sink.webhook;

import io.auditrelay.settings.Settings;
import io.auditrelay.event.EventSink;
import io.auditrelay.sink.SinkEndpoint;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.Category;
import org.apache.camel.Component;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * POSTs canonical events to an HTTP endpoint, signed per Standard Webhooks ({@link WebhookSink}): one event per POST,
 * or JSON arrays of up to {@code batchSize}; retries 408/429 (honoring Retry-After)/5xx/timeouts/connection errors up
 * to {@code maxRetries} with backoff, then dead-letters; another 4xx is dead-lettered at once.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-webhook", title = "Audit Webhook Sink", syntax = "audit-webhook:url",
        producerOnly = true, category = {Category.HTTP})
public class WebhookSinkEndpoint extends SinkEndpoint {

    @UriPath(description = "The URL the events are POSTed to (http or https)")
    @Metadata(required = true)
    private String url;
    @UriParam(label = "security", secret = true, description = "Standard Webhooks signing secret, whsec_<base64 key>")
    private String secret;
    @UriParam(defaultValue = "1", description = "1 = one event per POST; > 1 = a JSON array of up to this many events")
    private int batchSize = 1;
    @UriParam(defaultValue = "200", description = "With batchSize > 1: how long (ms) an open batch of single events"
            + " waits for more before it is posted")
    private long batchInterval = 200;
    @UriParam(defaultValue = "10000", description = "Connect and request timeout, ms")
    private long timeout = 10_000;
    @UriParam(defaultValue = "1000", description = "First retry delay in ms (exponential with jitter)")
    private long backoff = 1000;
    @UriParam(defaultValue = "30000", description = "Largest retry delay in ms")
    private long maxBackoff = 30_000;
    @UriParam(prefix = "header.", multiValue = true, description = "Extra static headers, each as header.<name>=<value>")
    private Map<String, Object> headers = new LinkedHashMap<>();
    @UriParam(label = "advanced", description = "A prefix of Camel properties sent as extra headers, the prefix removed"
            + " (the relay: relay.sink.webhook.headers.); for header values kept out of the URI, such as API keys")
    private String headersPropertiesPrefix;

    public WebhookSinkEndpoint(String uri, Component component) {
        super(uri, component);
    }

    @Override
    protected EventSink createSink(DeadLetterStore deadLetters) {
        Map<String, String> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String prefix = blankToNull(headersPropertiesPrefix);
        if (prefix != null) {
            Properties props = Settings.withPrefix(getCamelContext(), prefix);
            for (String key : props.stringPropertyNames()) {
                all.put(key.substring(prefix.length()), props.getProperty(key));
            }
        }
        headers.forEach((name, value) -> all.put(name, String.valueOf(value)));
        String target = blankToNull(url);
        return new WebhookSink(new WebhookSink.Options(target == null ? null : URI.create(target), blankToNull(secret),
                batchSize, Duration.ofMillis(batchInterval), Duration.ofMillis(timeout), getMaxRetries(),
                Duration.ofMillis(backoff), Duration.ofMillis(maxBackoff), Map.copyOf(all))).format(eventFormat());
    }

    @Override
    protected void open(EventSink sink) {
        ((WebhookSink) sink).open();
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getSecret() {
        return secret;
    }

    public void setSecret(String secret) {
        this.secret = secret;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public long getBatchInterval() {
        return batchInterval;
    }

    public void setBatchInterval(long batchInterval) {
        this.batchInterval = batchInterval;
    }

    public long getTimeout() {
        return timeout;
    }

    public void setTimeout(long timeout) {
        this.timeout = timeout;
    }

    public long getBackoff() {
        return backoff;
    }

    public void setBackoff(long backoff) {
        this.backoff = backoff;
    }

    public long getMaxBackoff() {
        return maxBackoff;
    }

    public void setMaxBackoff(long maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public Map<String, Object> getHeaders() {
        return headers;
    }

    public void setHeaders(Map<String, Object> headers) {
        this.headers = headers;
    }

    public String getHeadersPropertiesPrefix() {
        return headersPropertiesPrefix;
    }

    public void setHeadersPropertiesPrefix(String headersPropertiesPrefix) {
        this.headersPropertiesPrefix = headersPropertiesPrefix;
    }
}

package io.auditrelay.source.cockroachdb;

import io.auditrelay.source.InputLimitOptions;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Drains the CockroachDB Cloud organization audit log ({@code GET /api/v1/auditlogevents}, ascending) from a durable
 * cursor; with {@code until} it reads the closed window [startFrom, until) instead, ascending or (sortOrder=DESC)
 * backward from until, and stops asking once the window is read. Each API page becomes one exchange whose body is the page's entries as a
 * {@code List<io.auditrelay.event.SourceRecord>} (headers {@code relayVendor=cockroachdb} and {@code relayLocation},
 * the request that read the page); the cursor file {@code <stateDir>/<name>-cursor.json} is saved when the exchange
 * completed, so a page whose route failed is read again after a backoff. Entries at the inclusive boundary timestamp
 * are not sent twice. 429 (honouring Retry-After), 5xx, timeouts and refused connections are retried with a doubling
 * backoff; a refused key (401/403) or request (400) marks the source DOWN (readiness check {@code <name>-source}) and
 * is asked again after the poll interval. After a drain the next one starts a poll interval later.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-cockroachdb", title = "Audit CockroachDB Cloud",
        syntax = "audit-cockroachdb:name", consumerOnly = true, remote = true, category = {Category.CLOUD, Category.DATABASE})
public class CockroachDbEndpoint extends DefaultEndpoint {

    @UriPath(defaultValue = "cockroachdb", description = "The source's name: its cursor file is <stateDir>/<name>-cursor.json,"
            + " its readiness check <name>-source and the name a relay.once run waits for")
    private String name = "cockroachdb";
    @UriParam(label = "consumer", defaultValue = "https://cockroachlabs.cloud", description = "The CockroachDB Cloud API address")
    private String url = "https://cockroachlabs.cloud";
    @UriParam(label = "security", secret = true, description = "The secret key of a service account with the admin role")
    @Metadata(required = true)
    private String apiKey;
    @UriParam(defaultValue = "2024-09-16", label = "consumer,advanced", description = "Sent as the Cc-Version header")
    private String apiVersion = "2024-09-16";
    @UriParam(label = "consumer", defaultValue = "200", description = "Entries per request (limit), 1 to 1000")
    private int pageSize = 200;
    @UriParam(label = "consumer", description = "First run only (no cursor file yet): an ISO-8601 timestamp to start from; empty means the"
            + " organization's first event")
    private String startFrom;
    @UriParam(label = "consumer", description = "An ISO-8601 timestamp: read only entries created before it (exclusive upper bound)."
            + " With until the source reads the closed window [startFrom, until) and, once that is read to its end, asks nothing more"
            + " (its cursor file says complete); a relay.once run then ends")
    private String until;
    @UriParam(label = "consumer", defaultValue = "ASC", enums = "ASC,DESC", description = "sort_order of the requests. ASC follows"
            + " new events from startFrom; DESC (needs until) reads the window backward from until, newest first, down to startFrom"
            + " (or the organization's first event)")
    private String sortOrder = "ASC";
    @UriParam(label = "consumer", defaultValue = "60s", javaType = "java.time.Duration",
            description = "Wait after a drain (and after a 401/403/400) before asking again")
    private long pollInterval = 60_000;
    @UriParam(label = "consumer", defaultValue = "1s", javaType = "java.time.Duration", description = "First wait after a 5xx, a timeout, a"
            + " refused connection, a 429 without Retry-After or a page whose route failed; doubles with jitter")
    private long backoff = 1_000;
    @UriParam(label = "consumer", defaultValue = "5m", javaType = "java.time.Duration", description = "Cap of the backoff")
    private long maxBackoff = 300_000;
    @UriParam(defaultValue = "30s", javaType = "java.time.Duration", label = "consumer,advanced", description = "Timeout of one request")
    private long requestTimeout = 30_000;
    @UriParam(defaultValue = "50", label = "consumer,advanced", description = "Log the drain's progress every this many pages")
    private int progressPages = 50;
    @UriParam(label = "consumer", defaultValue = "data/state", description = "Where the cursor file is kept")
    private String stateDir = "data/state";

    @UriParam
    private InputLimitOptions inputLimits = new InputLimitOptions();

    public CockroachDbEndpoint(String uri, CockroachDbComponent component) {
        super(uri, component);
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("audit-cockroachdb is a source: use it in from:");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        CockroachDbConsumer consumer = new CockroachDbConsumer(this, processor, settings());
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        settings(); // a wrong option fails the route at start, with a message naming it
        // A relay.once run waits for this source from the start: behind master: the consumer (which says expect too)
        // starts only once this replica leads, which is after the context started.
        OnceCoordinator coordinator = getCamelContext().getRegistry().findSingleByType(OnceCoordinator.class);
        if (coordinator != null) {
            coordinator.expect(name);
        }
    }

    /** The validated options (the API key masked in its toString). */
    CockroachDbSettings settings() {
        return new CockroachDbSettings(url, apiKey, apiVersion, pageSize, startFrom, until, sortOrder(), Duration.ofMillis(pollInterval),
                Duration.ofMillis(backoff), Duration.ofMillis(maxBackoff), Duration.ofMillis(requestTimeout), progressPages,
                Path.of(stateDir));
    }

    private CockroachDbSettings.SortOrder sortOrder() {
        String order = sortOrder == null || sortOrder.isBlank() ? "ASC" : sortOrder.trim().toUpperCase(java.util.Locale.ROOT);
        try {
            return CockroachDbSettings.SortOrder.valueOf(order);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sortOrder (" + CockroachDbSettings.PREFIX + "sort-order) must be ASC or DESC, not '"
                    + sortOrder + "'");
        }
    }

    public String getUntil() {
        return until;
    }

    public void setUntil(String until) {
        this.until = until;
    }

    public String getSortOrder() {
        return sortOrder;
    }

    public void setSortOrder(String sortOrder) {
        this.sortOrder = sortOrder;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getApiKey() {
        return apiKey;
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    public String getApiVersion() {
        return apiVersion;
    }

    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    public int getPageSize() {
        return pageSize;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    public String getStartFrom() {
        return startFrom;
    }

    public void setStartFrom(String startFrom) {
        this.startFrom = startFrom;
    }

    public long getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(long pollInterval) {
        this.pollInterval = pollInterval;
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

    public long getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(long requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public int getProgressPages() {
        return progressPages;
    }

    public void setProgressPages(int progressPages) {
        this.progressPages = progressPages;
    }

    public String getStateDir() {
        return stateDir;
    }

    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }

    public InputLimitOptions getInputLimits() {
        return inputLimits;
    }

    public void setInputLimits(InputLimitOptions inputLimits) {
        this.inputLimits = inputLimits;
    }
}

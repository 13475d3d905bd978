package io.auditrelay.sink;

import io.auditrelay.event.FlushableSink;
import io.auditrelay.event.EventSink;
import io.auditrelay.redact.Redaction;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.spine.SinkRules;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.Service;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.service.ServiceHelper;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The base of the sink endpoints ({@code audit-csv:}, {@code audit-ndjson:}, {@code audit-s3:}, {@code audit-kafka:},
 * {@code audit-webhook:}): the options every sink has (routing rules, retry budget, dead letters), and the sink's engine
 * ({@link EventSink}), which the endpoint builds from its options and starts and stops with itself. Its producer
 * ({@link SinkProducer}) selects, delivers in groups, retries, dead-letters and flushes.
 */
public abstract class SinkEndpoint extends DefaultEndpoint implements FlushableSink {

    @UriParam(label = "routing", description = "Only events of these vendors, a comma list (empty: every vendor)")
    private String vendors;
    @UriParam(label = "routing", description = "Only events whose action matches this regular expression, whole action"
            + " (empty: every action)")
    private String actions;
    @UriParam(label = "routing", description = "Only events for which this Camel simple predicate holds, the body"
            + " being the canonical event (io.auditrelay.event.AuditEvent), e.g. ${body.outcome} == 'failure' &&"
            + " ${body.activity} == 'login' (empty: every event); applied after vendors and actions")
    private String when;
    @UriParam(label = "delivery", defaultValue = "3", description = "Attempts after the first failure of a group of"
            + " events before the events the sink has not accepted go to the dead-letter store (-1: retry forever)")
    private int maxRetries = 3;
    @UriParam(label = "delivery", defaultValue = "500", description = "First wait in ms before a retry; doubles with"
            + " every retry (with jitter, capped at 60 s)")
    private long retryDelay = 500;
    @UriParam(label = "delivery", description = "Directory of the dead-letter store (dead-letters.jsonl). Default: the"
            + " registry's DeadLetterStore when there is one (the relay's), else data/dlq")
    private String dlqDir;
    @UriParam(label = "advanced", description = "The sink's name in dead letters, metrics and logs (default: the"
            + " sink's own, e.g. csv)")
    private String sinkName;
    @UriParam(label = "format", defaultValue = "canonical", enums = "canonical,ocsf", description = "What the sink"
            + " writes: the canonical event, or its OCSF 1.8.0 rendering (not for the CSV sink, whose columns are"
            + " canonical)")
    private String format = "canonical";
    @UriParam(label = "format", defaultValue = "false", description = "With format=ocsf: raw_data holds the vendor"
            + " record as JSON text")
    private boolean ocsfRawData;

    private volatile EventSink sink;
    private DeadLetterStore deadLetters;
    private RelayStats stats;
    private SinkRules.Rule rule;
    private Predicate whenPredicate;

    protected SinkEndpoint(String uri, Component component) {
        super(uri, component);
    }

    /** Builds the sink's engine from the endpoint's options; started and stopped with the endpoint when it is a Service. */
    protected abstract EventSink createSink(DeadLetterStore deadLetters) throws Exception;

    /** Opens an engine that is not a Camel service (called after {@link #createSink}). */
    protected void open(EventSink sink) throws Exception {
    }

    @Override
    public Producer createProducer() {
        return new SinkProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException(getEndpointBaseUri() + " is a sink: use it in to:");
    }

    @Override
    public boolean isRemote() {
        return false;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        stats = getCamelContext().getRegistry().findSingleByType(RelayStats.class);
        if (stats == null) {
            stats = new RelayStats(Clock.systemUTC());
        }
        DeadLetterStore shared = dlqDir == null || dlqDir.isBlank()
                ? getCamelContext().getRegistry().findSingleByType(DeadLetterStore.class) : null;
        deadLetters = shared != null ? shared
                : new DeadLetterStore(Path.of(dlqDir == null || dlqDir.isBlank() ? "data/dlq" : dlqDir), Clock.systemUTC(), stats);
        Redaction redaction = getCamelContext().getRegistry().findSingleByType(Redaction.class);
        if (redaction != null) {
            deadLetters.redactAlso(redaction);
        }
        rule = SinkRules.rule(vendors, actions);
        String predicate = blankToNull(when);
        whenPredicate = predicate == null ? null : getCamelContext().resolveLanguage("simple").createPredicate(predicate);
        EventSink created = createSink(deadLetters);
        if (created instanceof Service service) {
            ServiceHelper.startService(service);
        } else {
            open(created);
        }
        sink = created;
    }

    @Override
    protected void doStop() throws Exception {
        EventSink stopping = sink;
        sink = null;
        if (stopping instanceof Service service) {
            ServiceHelper.stopService(service);
        }
        super.doStop();
    }

    @Override
    public void flush() throws Exception {
        EventSink current = sink;
        if (current != null) {
            current.flush();
        }
    }

    /** The running engine, or null when the endpoint is not started. */
    public EventSink sink() {
        return sink;
    }

    /** The name used in dead letters, metrics and logs. */
    public String name() {
        EventSink current = sink;
        return sinkName != null && !sinkName.isBlank() ? sinkName : current != null ? current.name() : getEndpointBaseUri();
    }

    DeadLetterStore deadLetters() {
        return deadLetters;
    }

    RelayStats stats() {
        return stats;
    }

    SinkRules.Rule rule() {
        return rule;
    }

    /** The {@code when} predicate, or null when every event goes. */
    Predicate whenPredicate() {
        return whenPredicate;
    }

    public String getWhen() {
        return when;
    }

    public void setWhen(String when) {
        this.when = when;
    }

    /** The {@code format} and {@code ocsfRawData} options. */
    protected EventFormat eventFormat() {
        return EventFormat.of(format, ocsfRawData);
    }

    /** A blank option as null (a property placeholder left empty). */
    protected static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    public String getVendors() {
        return vendors;
    }

    public void setVendors(String vendors) {
        this.vendors = vendors;
    }

    public String getActions() {
        return actions;
    }

    public void setActions(String actions) {
        this.actions = actions;
    }

    public int getMaxRetries() {
        return maxRetries;
    }

    public void setMaxRetries(int maxRetries) {
        this.maxRetries = maxRetries;
    }

    public long getRetryDelay() {
        return retryDelay;
    }

    public void setRetryDelay(long retryDelay) {
        this.retryDelay = retryDelay;
    }

    public String getDlqDir() {
        return dlqDir;
    }

    public void setDlqDir(String dlqDir) {
        this.dlqDir = dlqDir;
    }

    public String getFormat() {
        return format;
    }

    public void setFormat(String format) {
        this.format = format;
    }

    public boolean isOcsfRawData() {
        return ocsfRawData;
    }

    public void setOcsfRawData(boolean ocsfRawData) {
        this.ocsfRawData = ocsfRawData;
    }

    public String getSinkName() {
        return sinkName;
    }

    public void setSinkName(String sinkName) {
        this.sinkName = sinkName;
    }
}

package io.auditrelay.spine.normalize;

import io.auditrelay.redact.Redaction;
import io.auditrelay.mapper.Mappers;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * The spine's normalize, dedupe and dead-letter steps for one source unit: the vendor records in the body (a list or
 * stream of records, or one record as JSON text) become the unit's new canonical events (a list, or a stream for a
 * stream). A record that can't be read or mapped goes to the dead-letter store; an event delivered before is dropped.
 * The unit's ids are recorded in the persistent dedupe store when the unit completes.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-normalize", title = "Audit Normalize", syntax = "audit-normalize:vendor",
        producerOnly = true, remote = false, category = {Category.TRANSFORMATION})
public class NormalizeEndpoint extends DefaultEndpoint {

    @UriPath(description = "The vendor whose records flow through (astra, cockroachdb, conduktor, airkit)")
    @Metadata(required = true)
    private String vendor;
    @UriParam(description = "Organization id used where a record names none")
    private String org;
    @UriParam(defaultValue = "data/state", description = "Directory of the dedupe store (dedupe-ids.txt)")
    private String stateDir = "data/state";
    @UriParam(defaultValue = "data/dlq", description = "Directory of the dead-letter store (dead-letters.jsonl)")
    private String dlqDir = "data/dlq";
    @UriParam(defaultValue = "1000000", description = "How many delivered ids the dedupe store remembers")
    private int maxIds = 1_000_000;
    @UriParam(label = "security", description = "Redaction rules applied to each event's raw record and in the"
            + " dead-letter store, as relay.redact: entries [vendor:]field-or-$.path[=mask|drop] separated by ';'"
            + " (added to the context's relay.redact rules, if any)")
    private String redact;
    @UriParam(label = "security", defaultValue = "true", description = "Whether the default rules mask token and"
            + " secret values (token, secret, password fields; AstraCS:, CCDB1_, JWT and bearer values)")
    private boolean redactDefaults = true;

    public NormalizeEndpoint(String uri, NormalizeComponent component) {
        super(uri, component);
    }

    @Override
    public NormalizeComponent getComponent() {
        return (NormalizeComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        if (!Mappers.vendors().contains(vendor)) {
            throw new IllegalArgumentException("audit-normalize: unknown vendor '" + vendor + "', one of " + Mappers.vendors());
        }
        NormalizeComponent component = getComponent();
        Redaction redaction = redaction();
        return new NormalizeProducer(this, component.dedupe(stateDir, maxIds),
                component.deadLetters(dlqDir).redactAlso(redaction), component.stats(), component.clock(), redaction);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("audit-normalize is a producer: use it in to:");
    }

    public String getVendor() {
        return vendor;
    }

    public void setVendor(String vendor) {
        this.vendor = vendor;
    }

    public String getOrg() {
        return org;
    }

    public void setOrg(String org) {
        this.org = org;
    }

    public String getStateDir() {
        return stateDir;
    }

    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }

    public String getDlqDir() {
        return dlqDir;
    }

    public void setDlqDir(String dlqDir) {
        this.dlqDir = dlqDir;
    }

    /** This endpoint's rules with the context's ({@code relay.redact}, when the relay bound them). */
    Redaction redaction() {
        Redaction own = Redaction.parse(redact, redactDefaults);
        Redaction context = getCamelContext().getRegistry().findSingleByType(Redaction.class);
        return context == null ? own : context.and(own);
    }

    public String getRedact() {
        return redact;
    }

    public void setRedact(String redact) {
        this.redact = redact;
    }

    public boolean isRedactDefaults() {
        return redactDefaults;
    }

    public void setRedactDefaults(boolean redactDefaults) {
        this.redactDefaults = redactDefaults;
    }

    public int getMaxIds() {
        return maxIds;
    }

    public void setMaxIds(int maxIds) {
        this.maxIds = maxIds;
    }
}

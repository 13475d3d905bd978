package io.auditrelay.source.inbox;

import io.auditrelay.mapper.Mappers;
import io.auditrelay.source.InputLimitOptions;
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

/**
 * The file inbox of one vendor: every file dropped into the vendor's folder of the inbox directory becomes one exchange
 * whose body is the file's records, streamed (an iterator of SourceRecord). When the exchange completes the file moves to
 * {@code .done/}; a file that can't be read at all (wrong CSV header, binary, bad gzip) is dead-lettered and moved to
 * {@code .error/}; after any other failure it stays and is read again.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-inbox", title = "Audit Inbox", syntax = "audit-inbox:vendor",
        consumerOnly = true, remote = false, category = {Category.FILE})
public class InboxEndpoint extends DefaultEndpoint {

    @UriPath(description = "The vendor whose export files the inbox holds (astra, cockroachdb, conduktor, airkit); its files are"
            + " read from the sub-folder of directory named after it")
    @Metadata(required = true)
    private String vendor;
    @UriParam(label = "consumer", defaultValue = "data/inbox",
            description = "The inbox root folder: the vendor's files are read from its sub-folder named after the vendor")
    private String directory = "data/inbox";
    @UriParam(label = "consumer", defaultValue = "1000", javaType = "long",
            description = "Milliseconds between two looks at the folder. A file is read once its size and modification"
                    + " time did not change since the previous look")
    private long pollInterval = 1000;
    @UriParam(label = "consumer", defaultValue = "1000", javaType = "long",
            description = "Milliseconds before a file whose exchange failed is read again; doubles after each failure"
                    + " of the same file, up to maxRetryDelay")
    private long retryDelay = 1000;
    @UriParam(label = "consumer", defaultValue = "60000", javaType = "long",
            description = "Longest wait, in milliseconds, before a failed file is read again")
    private long maxRetryDelay = 60_000;
    @UriParam(label = "advanced", defaultValue = "data/dlq",
            description = "Directory of the dead-letter store that records unreadable files, used only when the Camel"
                    + " registry holds no io.auditrelay.spine.DeadLetterStore (the relay's own)")
    private String dlqDir = "data/dlq";
    @UriParam
    private InputLimitOptions inputLimits = new InputLimitOptions();

    public InboxEndpoint(String uri, InboxComponent component) {
        super(uri, component);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!Mappers.vendors().contains(vendor)) {
            throw new IllegalArgumentException("audit-inbox: unknown vendor '" + vendor + "', one of " + Mappers.vendors());
        }
        InboxConsumer consumer = new InboxConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("audit-inbox is a consumer: use it in from:");
    }

    /** The folder of this vendor's files. */
    Path folder() {
        return Path.of(directory).resolve(vendor);
    }

    public String getVendor() {
        return vendor;
    }

    public void setVendor(String vendor) {
        this.vendor = vendor;
    }

    public String getDirectory() {
        return directory;
    }

    public void setDirectory(String directory) {
        this.directory = directory;
    }

    public long getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(long pollInterval) {
        this.pollInterval = pollInterval;
    }

    public long getRetryDelay() {
        return retryDelay;
    }

    public void setRetryDelay(long retryDelay) {
        this.retryDelay = retryDelay;
    }

    public long getMaxRetryDelay() {
        return maxRetryDelay;
    }

    public void setMaxRetryDelay(long maxRetryDelay) {
        this.maxRetryDelay = maxRetryDelay;
    }

    public InputLimitOptions getInputLimits() {
        return inputLimits;
    }

    public void setInputLimits(InputLimitOptions inputLimits) {
        this.inputLimits = inputLimits;
    }

    public String getDlqDir() {
        return dlqDir;
    }

    public void setDlqDir(String dlqDir) {
        this.dlqDir = dlqDir;
    }
}

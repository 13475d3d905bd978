package io.auditrelay.sink.s3;

import io.auditrelay.aws.S3Access;
import io.auditrelay.event.EventSink;
import io.auditrelay.sink.EventFormat;
import io.auditrelay.sink.SinkEndpoint;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.Category;
import org.apache.camel.Component;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Writes canonical events to S3 in batches of gzipped NDJSON, Hive-partitioned by event time
 * ({@code <prefix>/vendor=<v>/dt=<yyyy-MM-dd>/hour=<HH>/<sha256 of the batch's ids>.ndjson.gz}), kept in a durable
 * local spool until written ({@link S3Sink}); the flush at the end of each source unit makes its events durable in the
 * spool. {@code maxRetries} and {@code retryDelay} are also the budget and first delay of a batch's object write.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-s3", title = "Audit S3 Sink", syntax = "audit-s3:bucket",
        producerOnly = true, category = {Category.CLOUD, Category.FILE})
public class S3SinkEndpoint extends SinkEndpoint {

    @UriPath(description = "The bucket the batches are written to")
    @Metadata(required = true)
    private String bucket;
    @UriParam(defaultValue = "audit", description = "Key prefix of every object")
    private String prefix = "audit";
    @UriParam(defaultValue = "us-east-1", description = "AWS region of the bucket")
    private String region = "us-east-1";
    @UriParam(description = "Endpoint of an S3-compatible store (path-style addressing); empty for AWS")
    private String endpoint;
    @UriParam(defaultValue = "true", description = "Whether the endpoint override is used (false: AWS, whatever"
            + " endpoint says)")
    private boolean overrideEndpoint = true;
    @UriParam(defaultValue = "true", description = "With an endpoint override: path-style addressing (the bucket in"
            + " the path), as most S3-compatible stores need; false: the bucket in the host name")
    private boolean forcePathStyle = true;
    @UriParam(label = "security", defaultValue = "false", description = "Use the AWS default credentials provider chain"
            + " even when keys are given")
    private boolean useDefaultCredentialsProvider;
    @UriParam(label = "security", secret = true, description = "Static access key; empty: the AWS default credentials"
            + " provider chain")
    private String accessKey;
    @UriParam(label = "security", secret = true, description = "Static secret key; empty: the AWS default credentials"
            + " provider chain")
    private String secretKey;
    @UriParam(defaultValue = "10000", description = "A batch is written at this many events")
    private int batchSize = 10_000;
    @UriParam(defaultValue = "67108864", description = "A batch is written at this many uncompressed bytes")
    private long batchBytes = 64L * 1024 * 1024;
    @UriParam(defaultValue = "300000", description = "A batch is written when it is this many ms old")
    private long batchInterval = 300_000;
    @UriParam(defaultValue = "data/state/s3-spool", description = "Where open batches are kept until written;"
            + " persistent storage")
    private String spoolDir = "data/state/s3-spool";

    @UriParam(label = "format", defaultValue = "partitioned", enums = "partitioned,security-lake", description = "Object"
            + " keys: partitioned (<prefix>/vendor=<v>/dt=<day>/hour=<HH>/) or, with format=ocsf, security-lake (Amazon"
            + " Security Lake custom source: ext/<source>/region=<region>/accountId=<id>/eventDay=<yyyyMMdd>/, one OCSF"
            + " class per object; the prefix is not used)")
    private String layout = "partitioned";
    @UriParam(label = "format", defaultValue = "audit-relay", description = "With layout=security-lake: the custom"
            + " source's name in the keys")
    private String securityLakeSource = "audit-relay";
    @UriParam(label = "format", description = "With layout=security-lake: the AWS account id in the keys")
    private String securityLakeAccountId;

    private EventNotifier shutdownListener;

    public S3SinkEndpoint(String uri, Component component) {
        super(uri, component);
        setMaxRetries(8);
        setRetryDelay(1000);
    }

    @Override
    protected EventSink createSink(DeadLetterStore deadLetters) {
        if (blankToNull(bucket) == null) {
            throw new IllegalArgumentException("audit-s3: the bucket is not set (relay.sink.s3.bucket)");
        }
        EventFormat eventFormat = eventFormat();
        boolean lake = "security-lake".equalsIgnoreCase(blankToNull(layout));
        if (!lake && blankToNull(layout) != null && !"partitioned".equalsIgnoreCase(layout.trim())) {
            throw new IllegalArgumentException("audit-s3: layout must be partitioned or security-lake, not '" + layout + "'");
        }
        if (lake && !eventFormat.ocsf()) {
            throw new IllegalArgumentException("audit-s3: layout=security-lake needs format=ocsf");
        }
        BatchFormat batchFormat = eventFormat.ocsf()
                ? new OcsfGzipFormat(eventFormat, lake ? new OcsfGzipFormat.SecurityLake(blankToNull(securityLakeSource),
                        blankToNull(region), blankToNull(securityLakeAccountId)) : null)
                : new NdjsonGzipFormat();
        String keyPrefix = lake || prefix == null ? "" : prefix;
        S3Sink.Options options = new S3Sink.Options(bucket, keyPrefix, batchSize, batchBytes,
                Duration.ofMillis(batchInterval), getMaxRetries(), Duration.ofMillis(getRetryDelay()),
                Path.of(blankToNull(spoolDir) == null ? "data/state/s3-spool" : spoolDir.trim()));
        S3Access access = new S3Access(region, overrideEndpoint ? blankToNull(endpoint) : null,
                useDefaultCredentialsProvider ? null : blankToNull(accessKey),
                useDefaultCredentialsProvider ? null : blankToNull(secretKey));
        boolean pathStyle = forcePathStyle;
        S3Sink sink = new S3Sink(options, () -> access.client(pathStyle), batchFormat, deadLetters);
        // write the open batches when the context starts stopping, before routes wait for their exchanges
        shutdownListener = sink.shutdownListener();
        getCamelContext().getManagementStrategy().addEventNotifier(shutdownListener);
        return sink;
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (shutdownListener != null) {
            getCamelContext().getManagementStrategy().removeEventNotifier(shutdownListener);
            shutdownListener = null;
        }
    }

    public String getLayout() {
        return layout;
    }

    public void setLayout(String layout) {
        this.layout = layout;
    }

    public String getSecurityLakeSource() {
        return securityLakeSource;
    }

    public void setSecurityLakeSource(String securityLakeSource) {
        this.securityLakeSource = securityLakeSource;
    }

    public String getSecurityLakeAccountId() {
        return securityLakeAccountId;
    }

    public void setSecurityLakeAccountId(String securityLakeAccountId) {
        this.securityLakeAccountId = securityLakeAccountId;
    }

    public String getBucket() {
        return bucket;
    }

    public void setBucket(String bucket) {
        this.bucket = bucket;
    }

    public String getPrefix() {
        return prefix;
    }

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public String getRegion() {
        return region;
    }

    public void setRegion(String region) {
        this.region = region;
    }

    public String getEndpoint() {
        return endpoint;
    }

    public void setEndpoint(String endpoint) {
        this.endpoint = endpoint;
    }

    public String getAccessKey() {
        return accessKey;
    }

    public void setAccessKey(String accessKey) {
        this.accessKey = accessKey;
    }

    public String getSecretKey() {
        return secretKey;
    }

    public void setSecretKey(String secretKey) {
        this.secretKey = secretKey;
    }

    public int getBatchSize() {
        return batchSize;
    }

    public void setBatchSize(int batchSize) {
        this.batchSize = batchSize;
    }

    public long getBatchBytes() {
        return batchBytes;
    }

    public void setBatchBytes(long batchBytes) {
        this.batchBytes = batchBytes;
    }

    public long getBatchInterval() {
        return batchInterval;
    }

    public void setBatchInterval(long batchInterval) {
        this.batchInterval = batchInterval;
    }

    public String getSpoolDir() {
        return spoolDir;
    }

    public void setSpoolDir(String spoolDir) {
        this.spoolDir = spoolDir;
    }

    public boolean isOverrideEndpoint() {
        return overrideEndpoint;
    }

    public void setOverrideEndpoint(boolean overrideEndpoint) {
        this.overrideEndpoint = overrideEndpoint;
    }

    public boolean isForcePathStyle() {
        return forcePathStyle;
    }

    public void setForcePathStyle(boolean forcePathStyle) {
        this.forcePathStyle = forcePathStyle;
    }

    public boolean isUseDefaultCredentialsProvider() {
        return useDefaultCredentialsProvider;
    }

    public void setUseDefaultCredentialsProvider(boolean useDefaultCredentialsProvider) {
        this.useDefaultCredentialsProvider = useDefaultCredentialsProvider;
    }
}

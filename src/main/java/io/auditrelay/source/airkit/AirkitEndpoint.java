package io.auditrelay.source.airkit;

import io.auditrelay.source.InputLimitOptions;
import io.auditrelay.aws.S3Access;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.DedupeRepository;
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
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the System Audit Log objects Airkit writes to an S3 bucket (CSV with the documented header or NDJSON, gzipped
 * or not): one exchange per object, whose body is the object's records as a stream ({@code Iterator<SourceRecord>},
 * never loaded whole), with the headers {@code relayVendor=airkit} and {@code relayLocation=s3://<bucket>/<key>}.
 * Airkit's {@code airkit-verify-test-*} objects are skipped. An object (key + ETag) is recorded as read, and with
 * {@code moveAfterRead} moved under {@code processedPrefix}, only when its exchange completed; a failed exchange means
 * it is read again. An object that cannot be read at all (bad gzip, wrong CSV header, binary) is dead-lettered with
 * its bucket and key and recorded as read.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-airkit", title = "Audit Airkit", syntax = "audit-airkit:bucket",
        consumerOnly = true, remote = true, category = {Category.CLOUD, Category.FILE})
public class AirkitEndpoint extends DefaultEndpoint {

    /** The name {@code relay.once} knows this source by. */
    public static final String SOURCE = "airkit-s3";
    /** Airkit's "Verify" button writes {@code airkit-verify-test-<timestamp>}; it holds no events. */
    public static final String VERIFY_PREFIX = "airkit-verify-test-";
    /** Where the record of objects read lives, under {@code stateDir}. */
    static final String STATE_SUBDIR = "airkit-s3";

    @UriPath(description = "The S3 bucket Airkit writes its audit logs to")
    @Metadata(required = true)
    private String bucket;
    @UriParam(description = "Only objects whose key starts with this prefix are read (empty: the whole bucket)")
    private String prefix = "";
    @UriParam(defaultValue = "us-east-1", description = "The AWS region of the bucket")
    private String region = "us-east-1";
    @UriParam(description = "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000 (empty: AWS)")
    private String endpoint;
    @UriParam(label = "advanced", defaultValue = "true",
            description = "Send requests to the endpoint option when it is set; false ignores it (AWS)")
    private boolean overrideEndpoint = true;
    @UriParam(label = "advanced", defaultValue = "true",
            description = "With an endpoint: path-style addressing (the bucket in the path), as most S3-compatible stores need")
    private boolean forcePathStyle = true;
    @UriParam(label = "security", secret = true,
            description = "Access key of an identity allowed to list and read the bucket (empty: the AWS default credentials provider chain)")
    private String accessKey;
    @UriParam(label = "security", secret = true, description = "Secret key of that identity")
    private String secretKey;
    @UriParam(label = "security", defaultValue = "false",
            description = "Use the AWS default credentials provider chain (environment, profile, instance or pod role) even when keys are set")
    private boolean useDefaultCredentialsProvider;
    @UriParam(label = "consumer", defaultValue = "60000", description = "Milliseconds between listings of the bucket")
    private long pollInterval = 60_000;
    @UriParam(label = "consumer", defaultValue = "1000",
            description = "Objects read per poll; when a poll found this many it lists on at once instead of waiting")
    private int maxObjectsPerPoll = 1000;
    @UriParam(label = "consumer", defaultValue = "8",
            description = "Objects of a poll downloaded ahead, at once, while the ones before them go through the route"
                    + " (still one at a time, in key order); 0: each object is downloaded when its turn comes")
    private int fetchAhead = 8;
    @UriParam(label = "advanced", defaultValue = "1048576",
            description = "Only objects of at most this many bytes are downloaded ahead (held in memory until read);"
                    + " a larger one is streamed when its turn comes")
    private long fetchAheadBytes = 1_048_576;
    @UriParam(label = "consumer", defaultValue = "false",
            description = "After an object was read, move it in the same bucket to processedPrefix followed by its key (copy, then delete); "
                    + "needs a prefix outside processedPrefix")
    private boolean moveAfterRead;
    @UriParam(label = "consumer", defaultValue = "processed/", description = "Where moveAfterRead moves objects to")
    private String processedPrefix = "processed/";
    @UriParam(defaultValue = "data/state",
            description = "Directory whose airkit-s3/ subdirectory keeps the record of the objects read (key + ETag)")
    private String stateDir = "data/state";
    @UriParam(label = "advanced", defaultValue = "1000000", description = "How many objects read the record remembers")
    private int maxObjectsRemembered = 1_000_000;
    @UriParam(description = "Directory of the dead-letter store for unreadable objects (dead-letters.jsonl); "
            + "empty: the relay's dead-letter store (a bean of type DeadLetterStore), else data/dlq")
    private String dlqDir;

    private final AtomicLong passes = new AtomicLong();
    private S3Client client;
    private DedupeRepository objects;
    private DeadLetterStore deadLetters;
    private OnceCoordinator coordinator;

    @UriParam
    private InputLimitOptions inputLimits = new InputLimitOptions();

    public AirkitEndpoint(String uri, AirkitComponent component) {
        super(uri, component);
    }

    @Override
    public AirkitComponent getComponent() {
        return (AirkitComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("audit-airkit is a consumer: use it in from:");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        AirkitConsumer consumer = new AirkitConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("audit-airkit: no bucket given (relay.source.airkit.bucket)");
        }
        if (moveAfterRead) {
            String keys = prefix == null ? "" : prefix;
            String processed = processedPrefix == null ? "" : processedPrefix;
            if (keys.isEmpty() || processed.isEmpty() || keys.startsWith(processed)) {
                throw new IllegalArgumentException("audit-airkit: moveAfterRead=true needs a prefix outside processedPrefix ('"
                        + processed + "'), or moved objects would be read again (relay.source.airkit.prefix, "
                        + "relay.source.airkit.processed-prefix)");
            }
        }
        coordinator = getCamelContext().getRegistry().findSingleByType(OnceCoordinator.class);
        if (coordinator != null) {
            // when the endpoint is created with its route, not only when the consumer starts: under master: the
            // consumer starts once this replica takes the lead, after the relay started, and a relay.once run must
            // not end before the bucket was read
            coordinator.expect(SOURCE);
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        objects = getComponent().objects(objectsDir(), maxObjectsRemembered);
        deadLetters = blank(dlqDir) ? getCamelContext().getRegistry().findSingleByType(DeadLetterStore.class) : null;
        if (deadLetters == null) {
            deadLetters = getComponent().deadLetters(blank(dlqDir) ? "data/dlq" : dlqDir);
        }
        String url = overrideEndpoint && !blank(endpoint) ? endpoint : null;
        S3Access access = useDefaultCredentialsProvider ? new S3Access(region, url, null, null)
                : new S3Access(region, url, blank(accessKey) ? null : accessKey, blank(secretKey) ? null : secretKey);
        client = access.client(forcePathStyle);
    }

    @Override
    protected void doStop() throws Exception {
        if (client != null) {
            client.close();
            client = null;
        }
        if (objects != null) {
            getComponent().release(objectsDir());
            objects = null;
        }
        super.doStop();
    }

    private Path objectsDir() {
        return Path.of(stateDir).resolve(STATE_SUBDIR);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    S3Client client() {
        return client;
    }

    DedupeRepository objects() {
        return objects;
    }

    DeadLetterStore deadLetters() {
        return deadLetters;
    }

    OnceCoordinator coordinator() {
        return coordinator;
    }

    void passed() {
        passes.incrementAndGet();
    }

    /** How many complete passes over the bucket (or the prefix) this endpoint's consumers have made. */
    public long passes() {
        return passes.get();
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

    public boolean isUseDefaultCredentialsProvider() {
        return useDefaultCredentialsProvider;
    }

    public void setUseDefaultCredentialsProvider(boolean useDefaultCredentialsProvider) {
        this.useDefaultCredentialsProvider = useDefaultCredentialsProvider;
    }

    public long getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(long pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getMaxObjectsPerPoll() {
        return maxObjectsPerPoll;
    }

    public void setMaxObjectsPerPoll(int maxObjectsPerPoll) {
        this.maxObjectsPerPoll = maxObjectsPerPoll;
    }

    public int getFetchAhead() {
        return fetchAhead;
    }

    public void setFetchAhead(int fetchAhead) {
        this.fetchAhead = fetchAhead;
    }

    public long getFetchAheadBytes() {
        return fetchAheadBytes;
    }

    public void setFetchAheadBytes(long fetchAheadBytes) {
        this.fetchAheadBytes = fetchAheadBytes;
    }

    public boolean isMoveAfterRead() {
        return moveAfterRead;
    }

    public void setMoveAfterRead(boolean moveAfterRead) {
        this.moveAfterRead = moveAfterRead;
    }

    public String getProcessedPrefix() {
        return processedPrefix;
    }

    public void setProcessedPrefix(String processedPrefix) {
        this.processedPrefix = processedPrefix;
    }

    public String getStateDir() {
        return stateDir;
    }

    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }

    public int getMaxObjectsRemembered() {
        return maxObjectsRemembered;
    }

    public void setMaxObjectsRemembered(int maxObjectsRemembered) {
        this.maxObjectsRemembered = maxObjectsRemembered;
    }

    public String getDlqDir() {
        return dlqDir;
    }

    public void setDlqDir(String dlqDir) {
        this.dlqDir = dlqDir;
    }

    public InputLimitOptions getInputLimits() {
        return inputLimits;
    }

    public void setInputLimits(InputLimitOptions inputLimits) {
        this.inputLimits = inputLimits;
    }
}

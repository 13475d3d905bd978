package io.auditrelay.source.airkit;

import io.auditrelay.source.RecordReader;
import io.auditrelay.source.UnreadableInputException;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.event.Headers;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.ShutdownStrategy;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lists the bucket and emits one exchange per object not read yet, one object at a time on the consumer's own thread.
 *
 * <p>A pass goes over the listing in key order, {@code maxObjectsPerPoll} new objects per poll, each poll continuing
 * after the last key the previous one got to (pages of up to 1000 keys, each with its ETag, so objects already read
 * and verify files are skipped without being opened); a poll stops listing once it has its objects. When a poll
 * reaches the end of the listing the pass is over and the next poll starts at the beginning again. A poll that took a
 * full set of objects is followed at once by the next one; otherwise the next poll comes {@code pollInterval} later.
 * With {@code relay.once} the source is drained when a whole pass found no object that was not read yet.
 *
 * <p>When an exchange fails, its object is not recorded and the poll stops: the next poll, {@code pollInterval} later,
 * lists again from where this one began and reads that object first.
 */
class AirkitConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(AirkitConsumer.class);
    private static final String VENDOR = "airkit";
    private static final int PAGE_SIZE = 1000;

    private final AirkitEndpoint endpoint;
    private final String bucket;
    private RecordReader reader = new RecordReader();
    private ScheduledExecutorService executor;
    /** Downloads the small objects of a poll ahead of the one being read ({@code fetchAhead} at a time). */
    private ExecutorService fetcher;
    /** The first listing page of the next poll, asked for while this poll's objects are read, and where it starts. */
    private Future<ListObjectsV2Response> nextPage;
    private String nextPageStart;
    private AirkitHealthCheck check;
    /** The listing of the current pass goes on after this key; null at the start of a pass. */
    private String marker;
    /** The current pass found an object not read yet. */
    private boolean newInPass;
    /** Why the bucket cannot be read now (refused credentials, no such bucket), or null. */
    private volatile String problem;
    /** The last failure of a listing or a read logged, so a failure repeated every poll is logged once. */
    private String lastLogged;

    AirkitConsumer(AirkitEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.bucket = endpoint.getBucket();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        OnceCoordinator coordinator = endpoint.coordinator();
        if (coordinator != null) {
            coordinator.expect(AirkitEndpoint.SOURCE);
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(endpoint.getCamelContext());
        if (health != null) {
            check = new AirkitHealthCheck(this, bucket);
            check.setCamelContext(endpoint.getCamelContext());
            health.register(check);
        }
        marker = null;
        newInPass = false;
        reader = new RecordReader(endpoint.getInputLimits().resolve(endpoint.getCamelContext()));
        nextPage = null;
        nextPageStart = null;
        executor = endpoint.getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "audit-airkit[" + bucket + "]");
        if (endpoint.getFetchAhead() > 0) {
            fetcher = endpoint.getCamelContext().getExecutorServiceManager()
                    .newFixedThreadPool(this, "audit-airkit-fetch[" + bucket + "]", endpoint.getFetchAhead());
        }
        executor.scheduleWithFixedDelay(this::run, 0, Math.max(1, endpoint.getPollInterval()), TimeUnit.MILLISECONDS);
        LOG.info("Reading Airkit audit objects from s3://{}/{}", bucket, nullToEmpty(endpoint.getPrefix()));
    }

    @Override
    protected void doStop() throws Exception {
        if (executor != null) {
            // the object in flight may finish within the context's shutdown timeout; after that it is abandoned
            // (interrupted) without being recorded, and read again after the restart
            ShutdownStrategy shutdown = endpoint.getCamelContext().getShutdownStrategy();
            endpoint.getCamelContext().getExecutorServiceManager().shutdown(executor); // no new poll, no wait
            boolean finished = false;
            try {
                finished = executor.awaitTermination(Math.max(1, shutdown.getTimeUnit().toMillis(shutdown.getTimeout())),
                        TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the shutdown strategy's own timeout
            }
            if (!finished) {
                LOG.warn("Airkit source: the object in flight did not finish in time; it is not recorded and is read again after the restart");
                executor.shutdownNow();
            }
            executor = null;
        }
        if (fetcher != null) {
            endpoint.getCamelContext().getExecutorServiceManager().shutdownNow(fetcher);
            fetcher = null;
        }
        if (check != null) {
            HealthCheckRegistry health = HealthCheckRegistry.get(endpoint.getCamelContext());
            if (health != null) {
                health.unregister(check);
            }
            check = null;
        }
        super.doStop();
    }

    /** Why the bucket cannot be read now, or null (the readiness check). */
    String problem() {
        return problem;
    }

    private void run() {
        try {
            while (isRunAllowed() && !isSuspendingOrSuspended() && poll()) {
                // a full poll: the next one at once
            }
        } catch (Throwable e) {
            // never let the scheduled task die: log and try again at the next poll
            getExceptionHandler().handleException("Polling s3://" + bucket + " failed", e);
        }
    }

    /** One poll: lists, reads the new objects. Returns true when it took a full set and the pass is not over. */
    private boolean poll() {
        S3Client client = endpoint.client();
        DedupeRepository objects = endpoint.objects();
        int max = endpoint.getMaxObjectsPerPoll();
        List<S3Object> batch = new ArrayList<>();
        String start = marker;
        String lastSeen = marker;
        boolean endOfPass = false;
        String token = null;
        try {
            listing:
            while (true) {
                ListObjectsV2Response page = token == null ? listedAhead(start) : null;
                if (page == null) {
                    page = client.listObjectsV2(listRequest(start, token));
                }
                for (S3Object object : page.contents()) {
                    if (max > 0 && batch.size() >= max) {
                        break listing;
                    }
                    lastSeen = object.key();
                    if (isVerifyFile(object.key())) {
                        continue;
                    }
                    if (objects.contains(objectId(object))) {
                        if (endpoint.isMoveAfterRead()) {
                            move(object); // read before, but its move failed then
                        }
                        continue;
                    }
                    batch.add(object);
                }
                if (!Boolean.TRUE.equals(page.isTruncated())) {
                    endOfPass = true;
                    break;
                }
                if (max > 0 && batch.size() >= max) {
                    break; // the next page is for the next poll
                }
                token = page.nextContinuationToken();
            }
        } catch (SdkException e) {
            failed("listing s3://" + bucket, e);
            return false;
        }
        if (batch.isEmpty()) {
            recovered(); // else the first read tells
        } else {
            newInPass = true;
        }
        if (!endOfPass && fetcher != null && max > 0 && batch.size() >= max) {
            // the next poll starts after lastSeen: its first page is listed while this poll's objects are read
            String after = lastSeen;
            nextPageStart = after;
            nextPage = fetcher.submit(() -> client.listObjectsV2(listRequest(after, null)));
        }
        List<Future<byte[]>> ahead = new ArrayList<>(batch.size());
        try {
            for (int i = 0; i < batch.size(); i++) {
                fetchAhead(batch, ahead, i);
                if (!isRunAllowed()) {
                    return false; // stopping: what is left is read after the restart
                }
                if (!read(batch.get(i), ahead.get(i))) {
                    marker = start;
                    return false;
                }
                ahead.set(i, null);
            }
        } finally {
            ahead.stream().filter(f -> f != null).forEach(f -> f.cancel(true));
        }
        marker = lastSeen;
        if (endOfPass) {
            endPass();
            return false;
        }
        return max > 0 && batch.size() >= max;
    }

    private ListObjectsV2Request listRequest(String startAfter, String token) {
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).maxKeys(PAGE_SIZE);
        if (!nullToEmpty(endpoint.getPrefix()).isEmpty()) {
            request.prefix(endpoint.getPrefix());
        }
        if (token != null) {
            request.continuationToken(token);
        } else if (startAfter != null) {
            request.startAfter(startAfter);
        }
        return request.build();
    }

    /**
     * The page listed ahead for a poll that starts after {@code start}, or null (none, another start, or its listing
     * failed: the poll lists again itself). A page listed ahead is at most one poll old.
     */
    private ListObjectsV2Response listedAhead(String start) {
        Future<ListObjectsV2Response> page = nextPage;
        String pageStart = nextPageStart;
        nextPage = null;
        nextPageStart = null;
        if (page == null || start == null || !start.equals(pageStart)) {
            if (page != null) {
                page.cancel(true);
            }
            return null;
        }
        try {
            return page.get();
        } catch (ExecutionException | CancellationException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void endPass() {
        endpoint.passed();
        OnceCoordinator coordinator = endpoint.coordinator();
        if (!newInPass && coordinator != null) {
            coordinator.drained(AirkitEndpoint.SOURCE);
        }
        newInPass = false;
        marker = null;
    }

    /**
     * Keeps the downloads of the next {@code fetchAhead} objects (from {@code i} on) of the poll going: an object of at
     * most {@code fetchAheadBytes} is downloaded whole on the fetch pool while the ones before it go through the route
     * (one at a time, in key order, as before); a larger one is streamed when its turn comes (a null entry).
     */
    private void fetchAhead(List<S3Object> batch, List<Future<byte[]>> ahead, int i) {
        int window = fetcher == null ? 0 : endpoint.getFetchAhead();
        while (ahead.size() < Math.min(batch.size(), i + 1 + window)) {
            S3Object object = batch.get(ahead.size());
            Long size = object.size();
            if (fetcher == null || size == null || size > endpoint.getFetchAheadBytes()) {
                ahead.add(null);
            } else {
                ahead.add(fetcher.submit(() -> {
                    try (ResponseInputStream<GetObjectResponse> response = get(object)) {
                        return response.readAllBytes();
                    }
                }));
            }
        }
    }

    /** GET of the object as listed: the ETag listed, so what is recorded is what was read. */
    private ResponseInputStream<GetObjectResponse> get(S3Object object) {
        return endpoint.client().getObject(b -> b.bucket(bucket).key(object.key()).ifMatch(object.eTag()));
    }

    /**
     * Reads one object through the route (its bytes from {@code fetched} when they were downloaded ahead, else streamed
     * now). Returns false when it must be read again (the poll stops).
     */
    private boolean read(S3Object object, Future<byte[]> fetched) {
        String key = object.key();
        String location = "s3://" + bucket + "/" + key;
        ResponseInputStream<GetObjectResponse> response = null;
        InputStream body;
        try {
            if (fetched != null) {
                body = new ByteArrayInputStream(fetchedBytes(fetched));
            } else {
                response = get(object);
                body = response;
            }
            recovered();
        } catch (java.io.IOException e) {
            failed("reading " + location, e);
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 || e.statusCode() == 412) {
                LOG.debug("Airkit object {} was deleted or rewritten since it was listed; the next pass sees it as it is", location);
                return true;
            }
            failed("reading " + location, e);
            return false;
        } catch (SdkException e) {
            failed("reading " + location, e);
            return false;
        }
        TrackingStream in = new TrackingStream(body);
        try {
            Iterator<SourceRecord> records;
            try {
                records = reader.read(in, key, VENDOR);
            } catch (UnreadableInputException e) {
                if (in.failed) {
                    failed("reading " + location, e);
                    return false;
                }
                unreadable(object, location, e.getMessage());
                return true;
            }
            AtomicBoolean acknowledged = new AtomicBoolean();
            Exchange exchange = createExchange(false);
            exchange.getMessage().setHeader(Headers.VENDOR, VENDOR);
            exchange.getMessage().setHeader(Headers.LOCATION, location);
            exchange.getMessage().setBody(records);
            // the unit's own completions (the ids audit-normalize recorded, also inside Kamelets) run before this one
            SourceUnit.begin(exchange, new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange done) {
                    acknowledge(object);
                    acknowledged.set(true);
                }

                @Override
                public void onFailure(Exchange failed) {
                    UnreadableInputException unreadable = unreadableCause(failed.getException());
                    if (unreadable != null && !in.failed) {
                        unreadable(object, location, unreadable.getMessage());
                        acknowledged.set(true);
                    }
                }
            });
            LOG.info("Reading Airkit object {}", location);
            Throwable error;
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            } finally {
                error = exchange.getException();
                releaseExchange(exchange, false);
            }
            if (!acknowledged.get()) {
                LOG.warn("Airkit object {} was not read to the end and is read again in {} ms: {}", location,
                        endpoint.getPollInterval(), error == null ? "the exchange did not complete" : error.getMessage());
                return false;
            }
            LOG.info("Finished Airkit object {}", location);
            return true;
        } finally {
            if (response != null) {
                response.abort(); // an object not read to the end is not downloaded to the end either
                try {
                    response.close();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("Closing {}", location, e);
                }
            }
        }
    }

    /** The bytes downloaded ahead; the download's failure as the GET's would have been thrown. */
    private static byte[] fetchedBytes(Future<byte[]> fetched) throws IOException {
        try {
            return fetched.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SdkException sdk) {
                throw sdk;
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (CancellationException e) {
            throw new IOException("the download was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the download", e);
        }
    }

    /** The object went through the route: recorded as read, and moved when configured. */
    private void acknowledge(S3Object object) {
        DedupeRepository objects = endpoint.objects();
        if (objects == null) { // the endpoint stopped (a shutdown that abandoned the object, a lost lead) meanwhile
            LOG.warn("Airkit source stopped before s3://{}/{} was recorded as read; it is read again", bucket,
                    object.key());
            return;
        }
        String id = objectId(object);
        objects.add(id);
        objects.confirm(id);
        if (endpoint.isMoveAfterRead()) {
            move(object);
        }
    }

    /** Dead-letters an object that cannot be read at all and records it, so it is not read again (a new version is). */
    private void unreadable(S3Object object, String location, String reason) {
        endpoint.deadLetters().recordUnreadable(VENDOR, location, reason);
        acknowledge(object);
    }

    /** Copies the object (the version that was read) under the processed prefix, then deletes it. */
    private void move(S3Object object) {
        String key = object.key();
        String target = endpoint.getProcessedPrefix() + key;
        try {
            endpoint.client().copyObject(b -> b.sourceBucket(bucket).sourceKey(key).copySourceIfMatch(object.eTag())
                    .destinationBucket(bucket).destinationKey(target));
            endpoint.client().deleteObject(b -> b.bucket(bucket).key(key));
            LOG.debug("Moved Airkit object s3://{}/{} to {}", bucket, key, target);
        } catch (SdkException e) {
            LOG.warn("Airkit object s3://{}/{} was read but could not be moved to {} (tried again on the next pass): {}",
                    bucket, key, target, e.getMessage());
        }
    }

    private void failed(String what, Exception e) {
        String reason = what + ": " + reason(e);
        boolean refused = refused(e);
        if (refused) {
            problem = reason;
            OnceCoordinator coordinator = endpoint.coordinator();
            if (coordinator != null) {
                coordinator.failed(AirkitEndpoint.SOURCE, reason);
            }
        }
        if (!reason.equals(lastLogged)) {
            lastLogged = reason;
            LOG.warn("Airkit source: {} failed, trying again in {} ms: {}", what, endpoint.getPollInterval(), reason(e));
        }
    }

    private void recovered() {
        if (lastLogged != null) {
            LOG.info("Airkit source: the bucket s3://{} can be read again", bucket);
        }
        lastLogged = null;
        problem = null;
    }

    /** Refused credentials, no permission, no such bucket: waiting does not help. */
    private static boolean refused(Exception e) {
        if (e instanceof S3Exception s3) {
            return s3.statusCode() == 401 || s3.statusCode() == 403
                    || (s3.statusCode() == 404 && s3.awsErrorDetails() != null
                    && "NoSuchBucket".equals(s3.awsErrorDetails().errorCode()));
        }
        return e instanceof SdkClientException && e.getMessage() != null && e.getMessage().contains("credentials");
    }

    /** The reason without request ids or keys: the S3 error code and message. */
    private static String reason(Exception e) {
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            return s3.statusCode() + " " + s3.awsErrorDetails().errorCode() + ": " + s3.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }

    private static UnreadableInputException unreadableCause(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UnreadableInputException unreadable) {
                return unreadable;
            }
        }
        return null;
    }

    /** What the record of objects read holds for an object: its key and ETag (a rewritten object is read again). */
    static String objectId(S3Object object) {
        return object.key() + "@" + object.eTag();
    }

    static boolean isVerifyFile(String key) {
        return key.substring(key.lastIndexOf('/') + 1).startsWith(AirkitEndpoint.VERIFY_PREFIX);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    /**
     * The object's bytes, remembering whether the connection failed: an object cut off by the network is read again,
     * not dead-lettered as unreadable (a gzip stream cut short by the network looks like a truncated file).
     */
    private static final class TrackingStream extends FilterInputStream {
        volatile boolean failed;

        TrackingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }
    }
}

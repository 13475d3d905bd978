package io.auditrelay.source.airkit;

import io.auditrelay.source.UnreadableInputException;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Helpers for routes/source-airkit-s3.yaml: which objects are done (key + ETag in a durable idempotent
 * repository), the Airkit verify files, dead-lettering an unreadable object, and telling the run coordinator
 * when the bucket has nothing new.
 *
 * <p>The aws2-s3 consumer (deleteAfterRead=false) lists the bucket a page of {@code maxMessagesPerPoll} objects
 * at a time, continuing from a marker and starting over at the end, so every object comes round again on every
 * pass. The source is drained when a whole pass (or an empty poll) saw no object that is not done yet: a pass
 * ends with a page shorter than maxMessagesPerPoll, or when the next page starts at or before the last key seen.
 */
public class AirkitS3Source {

    public static final String SOURCE = "airkit-s3";
    public static final String VERIFY_PREFIX = "airkit-verify-test-";
    private static final Logger LOG = LoggerFactory.getLogger(AirkitS3Source.class);
    private static final String KEY = "CamelAwsS3Key";
    private static final String ETAG = "CamelAwsS3ETag";
    private static final String BUCKET = "CamelAwsS3BucketName";

    private final IdempotentRepository done;
    private final DeadLetterStore deadLetters;
    private final OnceCoordinator coordinator;
    private final int maxPerPoll;
    private String lastKey;
    private boolean newInPass;
    private long passes;

    public AirkitS3Source(IdempotentRepository done, DeadLetterStore deadLetters, OnceCoordinator coordinator,
                          int maxPerPoll) {
        this.done = done;
        this.deadLetters = deadLetters;
        this.coordinator = coordinator;
        this.maxPerPoll = maxPerPoll;
    }

    /** What the done-repository records for an object: its key and ETag (a rewritten object is read again). */
    public static String objectId(Exchange exchange) {
        return exchange.getMessage().getHeader(KEY, String.class) + "@" + exchange.getMessage().getHeader(ETAG, String.class);
    }

    /** Airkit's "Verify" button writes {@code airkit-verify-test-<timestamp>}; it holds no events. */
    public static boolean isVerifyFile(Exchange exchange) {
        String key = exchange.getMessage().getHeader(KEY, String.class);
        String name = key.substring(key.lastIndexOf('/') + 1);
        return name.startsWith(VERIFY_PREFIX);
    }

    /** Called for every listed object before it is read: tracks passes over the bucket. */
    public synchronized void seen(Exchange exchange) {
        String key = exchange.getMessage().getHeader(KEY, String.class);
        int index = exchange.getProperty(ExchangePropertyKey.BATCH_INDEX, 0, Integer.class);
        int size = exchange.getProperty(ExchangePropertyKey.BATCH_SIZE, 1, Integer.class);
        if (index == 0 && lastKey != null && key.compareTo(lastKey) <= 0) {
            endPass(); // the listing started over: the previous page was the last of its pass
        }
        if (!isVerifyFile(exchange) && !done.contains(objectId(exchange))) {
            newInPass = true;
        }
        lastKey = key;
        if (index == size - 1 && (maxPerPoll <= 0 || size < maxPerPoll)) {
            endPass();
        }
    }

    /** Called when a poll found no objects at all. */
    public synchronized void idle() {
        endPass();
    }

    /** How many complete passes over the bucket this source has made. */
    public synchronized long passes() {
        return passes;
    }

    private void endPass() {
        passes++;
        if (!newInPass) {
            coordinator.drained(SOURCE);
        }
        newInPass = false;
        lastKey = null;
    }

    /**
     * Dead-letters an object that cannot be read (bad gzip, wrong CSV header, binary) with its bucket, key and
     * the reason, and marks it done so it is not read again (a new version, with a new ETag, is).
     */
    public void unreadable(Exchange exchange) {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String reason = error == null ? "unreadable" : error.getMessage();
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UnreadableInputException) {
                reason = t.getMessage();
                break;
            }
        }
        String location = "s3://" + exchange.getMessage().getHeader(BUCKET, String.class) + "/"
                + exchange.getMessage().getHeader(KEY, String.class);
        deadLetters.recordUnreadable("airkit", location, reason);
        done.add(objectId(exchange));
        LOG.warn("Airkit object {} is unreadable and was dead-lettered: {}", location, reason);
    }
}

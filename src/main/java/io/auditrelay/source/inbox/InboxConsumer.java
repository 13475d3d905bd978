package io.auditrelay.source.inbox;

import io.auditrelay.retry.Backoff;
import io.auditrelay.source.RecordReader;
import io.auditrelay.source.UnreadableInputException;
import io.auditrelay.redact.Redaction;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.event.Headers;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.ScheduledPollConsumer;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Polls one vendor's inbox folder. Each look lists the folder once; a file whose size and modification time are the
 * same as at the previous look is complete and is read, one file at a time in name order, each as one exchange
 * (body: its records, streamed by {@link RecordReader}). The exchange's completion acknowledges the file: moved to
 * {@code .done/} when the route completed, dead-lettered and moved to {@code .error/} when it could not be read at all,
 * left in place (read again after a backoff) after any other failure. A look that finds no file tells the
 * {@link OnceCoordinator} (if the registry has one) that the inbox is drained.
 *
 * <p>Hidden files (a leading dot) and sub-folders are not read. A symbolic link is followed only to a file in the same
 * folder; one that leads anywhere else is never opened.
 */
class InboxConsumer extends ScheduledPollConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(InboxConsumer.class);
    static final String DONE = ".done";
    static final String ERROR = ".error";

    /** Files a vendor writes that hold no events, by vendor: moved to .done unread. */
    private static final Map<String, Skip> SKIPPED = Map.of(
            // Airkit's "Verify" button writes airkit-verify-test-<timestamp>
            "airkit", new Skip("airkit-verify-test-", "Airkit verify file"));

    private record Skip(String prefix, String what) {
    }

    /** What one look saw of a file: a file is complete when two looks in a row see the same. */
    private record Stamp(long size, long modified) {
    }

    /** A file to read: its name, its entry in the folder, what to open (the target of a link) and its stamp. */
    private record Candidate(String name, Path entry, Path source, Stamp stamp) {
    }

    private final InboxEndpoint endpoint;
    private final String vendor;
    private final Path folder;
    private final String sourceName;
    private RecordReader reader = new RecordReader();
    private final Set<String> warned = new HashSet<>();
    private Map<String, Stamp> previous = new HashMap<>();
    private Path realFolder;
    private OnceCoordinator coordinator;
    private DeadLetterStore deadLetters;
    private String failedFile;
    private int failures;
    private long retryAt;

    InboxConsumer(InboxEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.vendor = endpoint.getVendor();
        this.folder = endpoint.folder();
        this.sourceName = "inbox:" + vendor;
        setDelay(endpoint.getPollInterval());
        setInitialDelay(0);
        setUseFixedDelay(true);
    }

    @Override
    protected void doStart() throws Exception {
        Files.createDirectories(folder);
        realFolder = folder.toRealPath();
        reader = new RecordReader(endpoint.getInputLimits().resolve(getEndpoint().getCamelContext()));
        Registry registry = getEndpoint().getCamelContext().getRegistry();
        deadLetters = registry.findSingleByType(DeadLetterStore.class);
        if (deadLetters == null) {
            Clock clock = Clock.systemUTC();
            deadLetters = new DeadLetterStore(Path.of(endpoint.getDlqDir()), clock, new RelayStats(clock));
            Redaction redaction = registry.findSingleByType(Redaction.class);
            if (redaction != null) {
                deadLetters.redactAlso(redaction);
            }
        }
        coordinator = registry.findSingleByType(OnceCoordinator.class);
        if (coordinator != null) {
            coordinator.expect(sourceName);
        }
        previous = new HashMap<>();
        failedFile = null;
        failures = 0;
        retryAt = 0;
        LOG.debug("Inbox {} polls {} every {} ms", vendor, folder, endpoint.getPollInterval());
        super.doStart();
    }

    @Override
    protected int poll() throws Exception {
        if (System.currentTimeMillis() < retryAt) {
            return 0;
        }
        List<Candidate> files = list();
        Map<String, Stamp> before = previous;
        previous = new HashMap<>();
        files.forEach(file -> previous.put(file.name(), file.stamp()));
        if (files.isEmpty()) {
            // only once the context has started: every source has registered what the coordinator waits for
            if (coordinator != null && getEndpoint().getCamelContext().isStarted()) {
                coordinator.drained(sourceName);
            }
            return 0;
        }
        int read = 0;
        for (Candidate file : files) {
            if (!file.stamp().equals(before.get(file.name()))) {
                continue; // new since the last look, or still being written
            }
            if (!isRunAllowed() || isSuspendingOrSuspended()) {
                break;
            }
            if (!relay(file)) {
                break; // stays, read again after the backoff; the files after it wait, to keep the name order
            }
            previous.remove(file.name());
            read++;
        }
        return read;
    }

    /** The complete-or-not candidates of the folder, sorted by name. */
    private List<Candidate> list() throws IOException {
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder);
            realFolder = folder.toRealPath();
        }
        List<Candidate> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                names.add(name);
                Candidate candidate = candidate(entry, name);
                if (candidate != null) {
                    out.add(candidate);
                }
            }
        }
        warned.retainAll(names);
        out.sort(Comparator.comparing(Candidate::name));
        return out;
    }

    private Candidate candidate(Path entry, String name) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null; // gone since the listing
        } catch (IOException e) {
            warnOnce(name, "cannot be inspected (" + e + ")");
            return null;
        }
        Path source = entry;
        if (attributes.isSymbolicLink()) {
            Path target;
            try {
                target = entry.toRealPath();
            } catch (IOException e) {
                warnOnce(name, "is a symbolic link to nothing readable (" + e + ")");
                return null;
            }
            if (!realFolder.equals(target.getParent())) {
                warnOnce(name, "is a symbolic link out of the inbox (to " + target + "): never followed");
                return null;
            }
            try {
                attributes = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                return null;
            }
            source = target;
        }
        if (attributes.isDirectory()) {
            return null;
        }
        if (!attributes.isRegularFile()) {
            warnOnce(name, "is not a regular file: not read");
            return null;
        }
        return new Candidate(name, entry, source, new Stamp(attributes.size(), attributes.lastModifiedTime().toMillis()));
    }

    private void warnOnce(String name, String problem) {
        if (warned.add(name)) {
            LOG.warn("Inbox {}: {} {}", vendor, folder.resolve(name), problem);
        }
    }

    /** Reads one file as one exchange; true when it is done with (moved), false when it stays to be read again. */
    private boolean relay(Candidate file) {
        String name = file.name();
        Skip skip = SKIPPED.get(vendor);
        if (skip != null && name.startsWith(skip.prefix())) {
            LOG.info("Skipped {} {}", skip.what(), name);
            return move(file, DONE);
        }
        LOG.info("Reading {} file {}", vendor, name);
        InputStream in;
        Iterator<SourceRecord> records;
        try {
            in = Files.newInputStream(file.source(), LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            LOG.info("Inbox {} file {} is gone before it was read", vendor, name);
            return true;
        } catch (IOException e) {
            return retryLater(file, e);
        }
        try {
            records = reader.read(in, name, vendor);
        } catch (UnreadableInputException e) {
            close(in);
            return unreadable(file, e);
        } catch (RuntimeException e) {
            close(in);
            return retryLater(file, e);
        }

        Exchange exchange = createExchange(false);
        Message message = exchange.getMessage();
        message.setHeader(Headers.VENDOR, vendor);
        message.setHeader(Headers.LOCATION, name);
        message.setHeader(Exchange.FILE_NAME, name);
        message.setHeader(Exchange.FILE_NAME_ONLY, name);
        message.setHeader(Exchange.FILE_PATH, file.entry().toString());
        message.setHeader(Exchange.FILE_LENGTH, file.stamp().size());
        message.setHeader(Exchange.FILE_LAST_MODIFIED, file.stamp().modified());
        message.setBody(records);
        AtomicReference<Boolean> acknowledged = new AtomicReference<>();
        // the acknowledgement runs in the exchange's completion, after what the unit's steps (also inside Kamelets)
        // registered to run when the whole unit went through
        SourceUnit.begin(exchange, new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                close(in);
                boolean moved = move(file, DONE);
                if (moved) {
                    LOG.info("Finished {} file {}", vendor, name);
                }
                acknowledged.set(moved);
            }

            @Override
            public void onFailure(Exchange failed) {
                close(in);
                acknowledged.set(failed(file, failed.getException()));
            }
        });
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        } finally {
            close(in);
        }
        Boolean done = acknowledged.get();
        if (done == null) {
            // the route never got to complete the exchange (it failed before its unit of work began)
            done = failed(file, exchange.getException());
        }
        releaseExchange(exchange, false);
        if (done) {
            failedFile = null;
            failures = 0;
        }
        return done;
    }

    /** After a failed exchange: an unreadable file is dead-lettered and moved away, anything else is read again. */
    private boolean failed(Candidate file, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UnreadableInputException unreadable) {
                return unreadable(file, unreadable);
            }
        }
        return retryLater(file, error != null ? error : new IllegalStateException("the route failed"));
    }

    private boolean unreadable(Candidate file, UnreadableInputException e) {
        deadLetters.recordUnreadable(vendor, file.entry().toString(), e.getMessage());
        return move(file, ERROR);
    }

    private boolean retryLater(Candidate file, Throwable error) {
        failures = file.name().equals(failedFile) ? failures + 1 : 1;
        failedFile = file.name();
        long delay = Backoff.ofMillis(endpoint.getRetryDelay(), endpoint.getMaxRetryDelay()).delay(failures).toMillis();
        retryAt = System.currentTimeMillis() + delay;
        LOG.warn("Inbox {} file {} failed ({}); it stays in the inbox and is read again in {} ms", vendor, file.entry(),
                error, delay);
        return false;
    }

    /** Moves the file (or the link itself) into a sub-folder of the inbox; false when it could not be moved. */
    private boolean move(Candidate file, String into) {
        Path target = folder.resolve(into).resolve(file.name());
        try {
            Files.createDirectories(target.getParent());
            try {
                Files.move(file.entry(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(file.entry(), target, StandardCopyOption.REPLACE_EXISTING);
            }
            return true;
        } catch (IOException e) {
            return retryLater(file, e);
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("Closing an inbox file failed", e);
        }
    }
}

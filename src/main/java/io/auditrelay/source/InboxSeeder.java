package io.auditrelay.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Seeds the default inbox from {@code examples/inbox/} on the very first run, so a newcomer sees the
 * relay work without any account. An inbox the user points to, or one that exists, is never touched.
 */
public final class InboxSeeder {

    public static final String DEFAULT_INBOX = "data/inbox";
    private static final Logger LOG = LoggerFactory.getLogger(InboxSeeder.class);

    private InboxSeeder() {
    }

    /** Creates the vendor folders of the inbox, seeding it from the examples when it is the default and new. */
    public static void prepare(Path inbox, boolean isDefault, Path examples, List<String> vendors) {
        try {
            if (isDefault && !Files.exists(inbox) && Files.isDirectory(examples)) {
                copyTree(examples, inbox);
                LOG.info("First run: seeded {} from {}", inbox, examples);
            }
            for (String vendor : vendors) {
                Files.createDirectories(inbox.resolve(vendor));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the inbox " + inbox, e);
        }
    }

    /** Copies a folder tree (used for the first-run seed, and by tests). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}

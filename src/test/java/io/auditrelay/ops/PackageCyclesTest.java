package io.auditrelay.ops;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's packages form layers: no package depends, directly or through others, on a package that depends on it.
 * Dependencies are read from the sources' imports (and fully qualified names) of {@code src/main/java}.
 */
class PackageCyclesTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.auditrelay(?:\\.[a-z0-9]+)*)\\.[A-Z]");
    private static final Pattern PACKAGE = Pattern.compile("^package (io\\.auditrelay[\\w.]*);", Pattern.MULTILINE);

    @Test
    void no_package_depends_on_itself_through_others() {
        Map<String, Set<String>> uses = dependencies();
        assertThat(uses).containsKey("io.auditrelay.event");
        List<List<String>> cycles = cycles(uses);
        assertThat(cycles).as("package cycles (a -> b means a uses b): %s", uses).isEmpty();
    }

    private static Map<String, Set<String>> dependencies() {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(file -> {
                String text = read(file);
                Matcher pkg = PACKAGE.matcher(text);
                assertThat(pkg.find()).as(file.toString()).isTrue();
                String from = pkg.group(1);
                Set<String> targets = uses.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher ref = REFERENCE.matcher(text.substring(pkg.end()));
                while (ref.find()) {
                    if (!ref.group(1).equals(from)) {
                        targets.add(ref.group(1));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return uses;
    }

    /** Tarjan's strongly connected components with more than one package. */
    private static List<List<String>> cycles(Map<String, Set<String>> uses) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<List<String>> found = new ArrayList<>();
        for (String start : uses.keySet()) {
            if (!index.containsKey(start)) {
                visit(start, uses, index, low, stack, found);
            }
        }
        return found;
    }

    private static void visit(String node, Map<String, Set<String>> uses, Map<String, Integer> index,
                              Map<String, Integer> low, Deque<String> stack, List<List<String>> found) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        for (String next : uses.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                visit(next, uses, index, low, stack, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (stack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            List<String> component = new ArrayList<>();
            String member;
            do {
                member = stack.pop();
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

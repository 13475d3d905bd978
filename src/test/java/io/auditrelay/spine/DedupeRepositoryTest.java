package io.auditrelay.spine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupeRepositoryTest {

    @TempDir
    Path dir;

    @Test
    void ids_survive_a_restart_and_a_torn_last_line_is_ignored() throws Exception {
        DedupeRepository first = new DedupeRepository(dir, 100);
        first.start();
        assertThat(first.add("astra:1")).isTrue();
        assertThat(first.add("astra:1")).isFalse();
        assertThat(first.add("astra:2")).isTrue();
        assertThat(first.add("astra:3")).isTrue();
        first.confirm("astra:1");
        first.confirm("astra:2");
        first.stop();
        Files.writeString(dir.resolve(DedupeRepository.FILE_NAME), "0123abc", StandardOpenOption.APPEND);

        DedupeRepository second = new DedupeRepository(dir, 100);
        second.start();

        assertThat(second.contains("astra:1")).isTrue();
        assertThat(second.contains("astra:2")).isTrue();
        assertThat(second.contains("astra:3")).as("claimed but never confirmed").isFalse();
        assertThat(second.size()).isEqualTo(2);
        second.stop();
    }

    @Test
    void the_store_keeps_the_newest_ids_up_to_its_bound_and_compacts_its_file() throws Exception {
        DedupeRepository repo = new DedupeRepository(dir, 1000);
        repo.start();
        for (int i = 0; i < 5000; i++) {
            repo.add("id-" + i);
            repo.confirm("id-" + i);
        }
        repo.stop();

        assertThat(Files.readAllLines(dir.resolve(DedupeRepository.FILE_NAME)).size()).isLessThanOrEqualTo(2000);
        DedupeRepository reloaded = new DedupeRepository(dir, 1000);
        reloaded.start();
        assertThat(reloaded.size()).isEqualTo(1000);
        assertThat(reloaded.contains("id-4999")).isTrue();
        assertThat(reloaded.contains("id-4000")).isTrue();
        assertThat(reloaded.contains("id-3999")).isFalse();
        reloaded.stop();
    }

    @Test
    void a_released_claim_can_be_claimed_again() throws Exception {
        DedupeRepository repo = new DedupeRepository(dir, 100);
        repo.start();
        assertThat(repo.add("conduktor:1")).isTrue();
        assertThat(repo.remove("conduktor:1")).isTrue();
        assertThat(repo.add("conduktor:1")).isTrue();
        repo.stop();
        assertThat(Files.readAllLines(dir.resolve(DedupeRepository.FILE_NAME))).isEmpty();
    }

    @Test
    void a_chunk_claim_refuses_known_ids_and_repeats_within_the_chunk() throws Exception {
        DedupeRepository repo = new DedupeRepository(dir, 100);
        repo.start();
        repo.add("airkit:known");
        assertThat(repo.addAll(List.of("airkit:a", "airkit:known", "airkit:b", "airkit:a")))
                .containsExactly(true, false, true, false);
        assertThat(repo.contains("airkit:b")).isTrue();
        assertThat(repo.addAll(List.of("airkit:b", "airkit:c"))).containsExactly(false, true);
        repo.stop();
    }

    @Test
    void the_hash_set_evicts_oldest_first_and_stays_consistent_under_churn() {
        IdHashSet set = new IdHashSet(64);
        for (int i = 0; i < 10_000; i++) {
            assertThat(set.add("k" + i)).isTrue();
            assertThat(set.contains("k" + i)).isTrue();
            if (i >= 64) {
                assertThat(set.contains("k" + (i - 64))).isFalse();
                assertThat(set.contains("k" + (i - 63))).isTrue();
            }
        }
        assertThat(set.size()).isEqualTo(64);
    }

    @Test
    void adds_removals_and_evictions_keep_the_set_what_a_ring_of_its_size_holds() {
        // 1,200 ids (high halves close together, low halves the same but for two bits) through a set of 128
        int capacity = 128;
        IdHashSet set = new IdHashSet(capacity);
        // the expectation: the same ring (the oldest position is evicted when an add reaches it again)
        long[] ring = new long[capacity];
        int next = 0;
        java.util.Map<Long, Integer> position = new java.util.HashMap<>();
        java.util.Random random = new java.util.Random(7);
        for (int step = 0; step < 50_000; step++) {
            long h = random.nextInt(400);
            long l = 0x5EED_0000_0000_0000L | random.nextInt(3);
            long key = h * 4 + (l & 3);
            if (random.nextInt(4) == 0) {
                Integer at = position.remove(key);
                assertThat(set.remove(h, l)).isEqualTo(at != null);
                if (at != null) {
                    ring[at] = -1;
                }
            } else {
                boolean fresh = !position.containsKey(key);
                assertThat(set.add(h, l, key + 1)).isEqualTo(fresh);
                if (fresh) {
                    if (ring[next] >= 0 && position.get(ring[next]) != null && position.get(ring[next]) == next) {
                        position.remove(ring[next]);
                    }
                    ring[next] = key;
                    position.put(key, next);
                    next = (next + 1) % capacity;
                }
            }
            assertThat(set.contains(h, l)).isEqualTo(position.containsKey(key));
            assertThat(set.content(h, l)).isEqualTo(position.containsKey(key) ? key + 1 : 0L);
            assertThat(set.size()).isEqualTo(position.size());
            if (step % 500 == 0) {
                for (long k = 0; k < 1600; k++) {
                    assertThat(set.contains(k / 4, 0x5EED_0000_0000_0000L | (k & 3)))
                            .as("id %d at step %d", k, step).isEqualTo(position.containsKey(k));
                }
            }
        }
    }

    @Test
    void an_id_seen_again_with_other_content_is_a_conflict_also_after_a_restart() throws Exception {
        DedupeRepository first = new DedupeRepository(dir, 100);
        first.start();
        assertThat(first.claimAll(List.of("conduktor:1", "conduktor:1", "conduktor:1"), new long[] {11, 11, 22}))
                .containsExactly(DedupeRepository.Claim.NEW, DedupeRepository.Claim.DUPLICATE, DedupeRepository.Claim.CONFLICT);
        first.confirmAll(List.of("conduktor:1"));
        first.stop();

        DedupeRepository second = new DedupeRepository(dir, 100);
        second.start();
        assertThat(second.claimAll(List.of("conduktor:1", "conduktor:1", "conduktor:2"), new long[] {11, 33, 44}))
                .containsExactly(DedupeRepository.Claim.DUPLICATE, DedupeRepository.Claim.CONFLICT, DedupeRepository.Claim.NEW);
        assertThat(second.claimAll(List.of("conduktor:1"), new long[] {0}))
                .as("content not known: a plain duplicate").containsExactly(DedupeRepository.Claim.DUPLICATE);
        second.stop();
    }

    @Test
    void a_unit_confirms_its_ids_with_the_content_they_were_claimed_with_even_if_memory_dropped_them_meanwhile()
            throws Exception {
        DedupeRepository first = new DedupeRepository(dir, 1);
        first.start();
        MessageDigest md5 = IdHashSet.md5();
        long[] a = IdHashSet.hash("conduktor:a", md5, 11);
        long[] b = IdHashSet.hash("conduktor:b", md5, 12);
        assertThat(first.claimHashes(new long[][] {a})).containsExactly(DedupeRepository.Claim.NEW);
        // the bound is one id: b pushes a out of memory before the unit confirms both
        assertThat(first.claimHashes(new long[][] {b})).containsExactly(DedupeRepository.Claim.NEW);
        first.confirmHashes(List.of(a, b));
        first.stop();

        DedupeRepository second = new DedupeRepository(dir, 100);
        second.start();
        assertThat(second.claimAll(List.of("conduktor:a", "conduktor:a", "conduktor:b"), new long[] {11, 22, 12}))
                .containsExactly(DedupeRepository.Claim.DUPLICATE, DedupeRepository.Claim.CONFLICT,
                        DedupeRepository.Claim.DUPLICATE);
        second.stop();
    }

    @Test
    void a_store_written_before_content_was_kept_still_loads_and_never_conflicts() throws Exception {
        long[] hash = IdHashSet.hash("cockroachdb:old");
        Files.writeString(dir.resolve(DedupeRepository.FILE_NAME), HexFormat.of().toHexDigits(hash[0])
                + HexFormat.of().toHexDigits(hash[1]) + "\n");

        DedupeRepository repo = new DedupeRepository(dir, 100);
        repo.start();

        assertThat(repo.contains("cockroachdb:old")).isTrue();
        assertThat(repo.claimAll(List.of("cockroachdb:old"), new long[] {5})).containsExactly(DedupeRepository.Claim.DUPLICATE);
        repo.stop();
        assertThat(Files.readAllLines(dir.resolve(DedupeRepository.FILE_NAME))).allSatisfy(l -> assertThat(l).hasSize(48));
    }

    @Test
    void each_line_holds_the_id_hash_and_the_content_hash_in_lower_case_hex_when_appended_and_when_rewritten()
            throws Exception {
        HexFormat hex = HexFormat.of();
        long[] a = IdHashSet.hash("conduktor:a", IdHashSet.md5(), 0xABCDEF0123456789L);
        long[] b = IdHashSet.hash("conduktor:b", IdHashSet.md5(), 7);
        List<String> expected = List.of(hex.toHexDigits(a[0]) + hex.toHexDigits(a[1]) + "abcdef0123456789",
                hex.toHexDigits(b[0]) + hex.toHexDigits(b[1]) + "0000000000000007");
        DedupeRepository repo = new DedupeRepository(dir, 10);
        repo.start();
        repo.claimHashes(new long[][] {a, b});
        repo.confirmHashes(List.of(a, b));
        assertThat(Files.readAllLines(dir.resolve(DedupeRepository.FILE_NAME))).isEqualTo(expected);
        repo.stop();

        DedupeRepository again = new DedupeRepository(dir, 10); // loads, then rewrites the file
        again.start();
        assertThat(Files.readAllLines(dir.resolve(DedupeRepository.FILE_NAME))).isEqualTo(expected);
        assertThat(again.claimHashes(new long[][] {IdHashSet.hash("conduktor:a", IdHashSet.md5(), 0xABCDEF0123456789L)}))
                .containsExactly(DedupeRepository.Claim.DUPLICATE);
        again.stop();
    }

    @Test
    void stores_sharing_a_directory_write_files_of_their_own_and_a_later_store_takes_them_over() throws Exception {
        DedupeRepository first = new DedupeRepository(dir, 10);
        first.start();
        first.confirmAll(List.of("astra:a"));

        DedupeRepository second = new DedupeRepository(dir, 10);
        second.start();
        assertThat(second.contains("astra:a")).as("delivered by the first before the second started").isTrue();
        second.confirmAll(List.of("astra:b"));
        for (int i = 0; i < 25; i++) { // the first compacts its file (at twice its bound) meanwhile
            first.confirmAll(List.of("astra:c" + i));
        }
        assertThat(Files.readAllLines(dir.resolve("dedupe-ids-1.txt"))).hasSize(2);
        first.stop();
        second.stop();

        DedupeRepository third = new DedupeRepository(dir, 100); // room for every id of both files
        third.start();
        assertThat(third.contains("astra:b")).as("written by the second, whose file the first never touched").isTrue();
        assertThat(third.contains("astra:c24")).isTrue();
        assertThat(third.contains("astra:c0")).as("compacted away by the first, whose bound is 10").isFalse();
        assertThat(dir.resolve("dedupe-ids-1.txt")).as("taken over: its ids are in the third's file").doesNotExist();
        third.stop();
        DedupeRepository fourth = new DedupeRepository(dir, 100);
        fourth.start();
        assertThat(fourth.contains("astra:b")).isTrue();
        fourth.stop();
    }

    @Test
    void a_store_beside_one_running_in_another_process_knows_its_ids_and_takes_its_file_over_once_it_was_killed()
            throws Exception {
        Process other = StoreProcess.start(dir.resolve("other.log"), "started", "dedupe",
                dir.toString(), "conduktor:other");
        try {
            DedupeRepository here = new DedupeRepository(dir, 100);
            here.start();
            assertThat(here.contains("conduktor:other")).isTrue();
            here.confirmAll(List.of("conduktor:here"));
            here.stop();
            assertThat(Files.readAllLines(dir.resolve("dedupe-ids-1.txt")))
                    .as("the other process holds dedupe-ids.txt: this one wrote a file of its own").hasSize(2);
            assertThat(Files.readAllLines(dir.resolve(DedupeRepository.FILE_NAME))).hasSize(1);

            other.destroyForcibly(); // SIGKILL: its lock goes with it
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            other.destroyForcibly();
        }
        DedupeRepository after = new DedupeRepository(dir, 100);
        after.start();
        assertThat(after.contains("conduktor:other")).isTrue();
        assertThat(after.contains("conduktor:here")).isTrue();
        assertThat(dir.resolve("dedupe-ids-1.txt")).doesNotExist();
        after.stop();
    }

    @Test
    void a_running_store_learns_what_the_other_stores_of_its_directory_confirm_also_after_they_compact_or_go()
            throws Exception {
        DedupeRepository first = new DedupeRepository(dir, 10, Duration.ZERO);
        first.start();
        DedupeRepository second = new DedupeRepository(dir, 10, Duration.ZERO);
        second.start();
        DedupeRepository third = new DedupeRepository(dir, 10, Duration.ZERO);
        third.start();
        DedupeRepository fourth = new DedupeRepository(dir, 10, Duration.ZERO);
        fourth.start();

        first.confirmHashes(List.of(IdHashSet.hash("conduktor:a", IdHashSet.md5(), 11)));
        assertThat(second.claimAll(List.of("conduktor:a", "conduktor:a"), new long[] {11, 22}))
                .as("confirmed by the first after the second started").containsExactly(
                        DedupeRepository.Claim.DUPLICATE, DedupeRepository.Claim.CONFLICT);
        for (int i = 0; i < 25; i++) { // the first rewrites its file at twice its bound
            first.confirmAll(List.of("conduktor:c" + i));
        }
        assertThat(Files.readAllLines(dir.resolve(DedupeRepository.FILE_NAME)).size()).isLessThan(25);
        assertThat(second.contains("conduktor:c24")).as("confirmed after the first compacted").isTrue();

        third.confirmAll(List.of("conduktor:t"));
        fourth.confirmAll(List.of("conduktor:f"));
        third.stop();
        fourth.stop();
        DedupeRepository fifth = new DedupeRepository(dir, 10, Duration.ZERO); // rewrites the third's file as its own
        fifth.start();
        assertThat(dir.resolve("dedupe-ids-3.txt")).as("the fourth's, taken over by the fifth").doesNotExist();
        fifth.confirmAll(List.of("conduktor:g"));
        assertThat(second.addAll(List.of("conduktor:t", "conduktor:f", "conduktor:g", "conduktor:new")))
                .containsExactly(false, false, false, true);
        assertThat(Files.readAllLines(dir.resolve("dedupe-ids-1.txt")))
                .as("what the second learned stays in the others' files").isEmpty();
        fifth.stop();
        second.stop();
        first.stop();
    }

    @Test
    void a_store_reads_the_others_at_most_once_per_refresh_interval() throws Exception {
        DedupeRepository first = new DedupeRepository(dir, 10, Duration.ZERO);
        first.start();
        DedupeRepository second = new DedupeRepository(dir, 10, Duration.ofHours(1));
        second.start();
        first.confirmAll(List.of("astra:later"));
        assertThat(second.add("astra:later")).as("not read before an hour has passed").isTrue();
        second.stop();
        first.stop();
    }

    @Test
    void a_negative_refresh_interval_is_refused() {
        assertThatThrownBy(() -> new DedupeRepository(dir, 10, Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("relay.dedupe.peer-refresh-ms");
    }

    @Test
    void a_line_another_store_has_not_ended_yet_is_read_once_it_is() throws Exception {
        DedupeRepository repo = new DedupeRepository(dir, 10, Duration.ZERO);
        repo.start();
        long[] hash = IdHashSet.hash("airkit:x");
        String line = HexFormat.of().toHexDigits(hash[0]) + HexFormat.of().toHexDigits(hash[1]) + "0000000000000005";
        Path other = dir.resolve("dedupe-ids-7.txt"); // a store that started after this one
        Files.writeString(other, line.substring(0, 20));
        assertThat(repo.contains("airkit:x")).isFalse();
        Files.writeString(other, line.substring(20) + "\n", StandardOpenOption.APPEND);
        assertThat(repo.claimAll(List.of("airkit:x"), new long[] {6})).containsExactly(DedupeRepository.Claim.CONFLICT);
        repo.stop();
    }

    @Test
    void a_store_knows_what_a_store_of_another_process_confirmed_after_it_started() throws Exception {
        DedupeRepository here = new DedupeRepository(dir, 100, Duration.ZERO);
        here.start();
        Process other = StoreProcess.start(dir.resolve("other.log"), "started", "dedupe",
                dir.toString(), "conduktor:there");
        try {
            assertThat(here.add("conduktor:there")).isFalse();
            assertThat(here.add("conduktor:here")).isTrue();
        } finally {
            other.destroyForcibly();
            here.stop();
        }
    }
}

package io.auditrelay.source.airkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Airkit bucket source against a real S3 server (S3Proxy), through the real relay. */
class AirkitS3SourceTest {

    private static final Path EXAMPLES = Path.of("examples/inbox/airkit");
    private static final String HEADER = "ORGANIZATION_ID,EVENT_ID,EVENT_YEAR,EVENT_MONTH,EVENT_DATE,EVENT_TIME,EMAIL,EVENT_TYPE";

    private static S3ProxyServer s3;
    private static S3Client client;

    @TempDir
    Path dir;

    @BeforeAll
    static void server() {
        s3 = S3ProxyServer.shared();
        client = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .build();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static void put(String bucket, String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    private static String row(String id, String time, String type) {
        return "org-1," + id + ",2024,2024-06-01,2024-06-01," + time + ",a@example.com," + type + "\n";
    }

    private RelayRunner relay(String bucket, String out) {
        return RelayRunner.inDir(dir)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "csv")
                .with("relay.sink.csv.dir", dir.resolve(out).toString())
                .with("relay.source.airkit.enabled", "true")
                .with("relay.source.airkit.bucket", bucket)
                .with("relay.source.airkit.prefix", "logs/")
                .with("relay.source.airkit.endpoint", s3.httpUrl())
                .with("relay.source.airkit.access-key", s3.accessKey())
                .with("relay.source.airkit.secret-key", s3.secretKey())
                .with("relay.source.airkit.poll-interval", "200")
                .with("relay.source.airkit.max-objects-per-poll", "3");
    }

    private List<String> csvIds(String out) {
        return Output.lines(dir.resolve(out)).stream().filter(l -> !l.startsWith("id,"))
                .map(l -> l.substring(0, l.indexOf(','))).toList();
    }

    @Test
    @Timeout(120)
    void every_object_kind_is_read_once_across_polls_and_restarts() throws Exception {
        String bucket = "airkit-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        put(bucket, "logs/airkit-audit-20240601T1005.csv", Files.readAllBytes(EXAMPLES.resolve("airkit-audit-20240601T1005.csv")));
        put(bucket, "logs/airkit-audit-20240601T1015.ndjson.gz", Files.readAllBytes(EXAMPLES.resolve("airkit-audit-20240601T1015.ndjson.gz")));
        put(bucket, "logs/airkit-verify-test-1717236000", "verify".getBytes(StandardCharsets.UTF_8));
        put(bucket, "logs/airkit-audit-20240601T1020.ndjson",
                ("{\"ORGANIZATION_ID\":\"org-1\",\"EVENT_ID\":\"evt-0100\",\"EVENT_TIME\":\"2024-06-01 10:20:00.000\","
                        + "\"EVENT_TYPE\":\"user_logout\"}\n").getBytes(StandardCharsets.UTF_8));
        put(bucket, "logs/airkit-audit-20240601T1025.csv.gz", "this is not gzip".getBytes(StandardCharsets.UTF_8));
        put(bucket, "logs/airkit-audit-20240601T1030.csv", "typename,userID\nx,y\n".getBytes(StandardCharsets.UTF_8));
        put(bucket, "other/airkit-audit-20240601T1035.csv", (HEADER + "\n" + row("evt-0900", "2024-06-01 10:35:00.000", "user_login"))
                .getBytes(StandardCharsets.UTF_8));

        RelayRunner first = relay(bucket, "out1");
        first.runOnce();

        assertThat(csvIds("out1")).containsExactlyInAnyOrder("airkit:evt-0001", "airkit:evt-0002", "airkit:evt-0003",
                "airkit:evt-0004", "airkit:evt-0005", "airkit:evt-0006", "airkit:evt-0007", "airkit:evt-0100");
        List<JsonNode> dead = Output.jsonFile(first.dlqFile());
        assertThat(dead).extracting(d -> d.get("source").asText()).containsExactlyInAnyOrder(
                "s3://" + bucket + "/logs/airkit-audit-20240601T1025.csv.gz",
                "s3://" + bucket + "/logs/airkit-audit-20240601T1030.csv");
        assertThat(dead).extracting(d -> d.get("error").asText()).anySatisfy(e -> assertThat(e).contains("gzip"))
                .anySatisfy(e -> assertThat(e).contains("wrong CSV header"));

        // A restart with the spine's dedupe store gone: only the object record keeps the objects from being read again
        Files.delete(dir.resolve("state").resolve(DedupeRepository.FILE_NAME));
        RelayRunner second = relay(bucket, "out2");
        CamelContext context = second.start();
        AirkitEndpoint source = context.getEndpoints().stream().filter(AirkitEndpoint.class::isInstance)
                .map(AirkitEndpoint.class::cast).findFirst().orElseThrow();
        RelayRunner.await(Duration.ofSeconds(60), () -> source.passes() >= 6);
        assertThat(csvIds("out2")).isEmpty();

        // A new object arrives while the relay runs: read once, however many polls pass
        put(bucket, "logs/airkit-audit-20240601T1040.csv", (HEADER + "\n" + row("evt-0200", "2024-06-01 10:40:00.000", "user_login")
                + row("evt-0201", "2024-06-01 10:41:00.000", "user_logout")).getBytes(StandardCharsets.UTF_8));
        RelayRunner.await(Duration.ofSeconds(60), () -> csvIds("out2").size() == 2);
        long polls = source.passes();
        RelayRunner.await(Duration.ofSeconds(60), () -> source.passes() >= polls + 6);
        RelayStats stats = context.getRegistry().lookupByNameAndType("relayStats", RelayStats.class);
        assertThat(stats.snapshot().get("airkit").read()).isEqualTo(2);
        assertThat(stats.snapshot().get("airkit").duplicates()).isZero();
        second.stop();

        assertThat(csvIds("out2")).containsExactlyInAnyOrder("airkit:evt-0200", "airkit:evt-0201");
        assertThat(Output.jsonFile(second.dlqFile())).hasSize(2);
    }

    @Test
    @Timeout(120)
    void move_after_read_moves_each_read_object_under_the_processed_prefix() throws Exception {
        String bucket = "move-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        put(bucket, "logs/airkit-audit-1.csv", (HEADER + "\n" + row("evt-0300", "2024-06-01 11:00:00.000", "user_login"))
                .getBytes(StandardCharsets.UTF_8));
        put(bucket, "logs/airkit-audit-2.csv", (HEADER + "\n" + row("evt-0301", "2024-06-01 11:01:00.000", "user_logout"))
                .getBytes(StandardCharsets.UTF_8));

        RelayRunner relay = relay(bucket, "moved").with("relay.source.airkit.move-after-read", "true");
        relay.runOnce();

        assertThat(csvIds("moved")).containsExactlyInAnyOrder("airkit:evt-0300", "airkit:evt-0301");
        assertThat(S3ProxyServer.keys(client, bucket)).containsExactly("processed/logs/airkit-audit-1.csv", "processed/logs/airkit-audit-2.csv");

        RelayRunner again = relay(bucket, "moved-again").with("relay.source.airkit.move-after-read", "true");
        again.runOnce();
        assertThat(csvIds("moved-again")).isEmpty();
    }

    @Test
    @Timeout(120)
    void a_source_that_takes_the_lead_again_knows_the_objects_another_replica_read_meanwhile() throws Exception {
        String bucket = "airkit-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        put(bucket, "logs/airkit-audit-20240601T1100.csv",
                (HEADER + "\n" + row("evt-1100", "2024-06-01 11:00:00.000", "user_login")).getBytes(StandardCharsets.UTF_8));
        RelayRunner relay = relay(bucket, "out");
        CamelContext context = relay.start();
        try {
            RelayRunner.await(Duration.ofSeconds(60), () -> csvIds("out").size() == 1);

            // the lead moves to another replica sharing the state volume (master: stops this source and its endpoint)
            context.getRouteController().stopRoute("source-airkit-s3");
            String read = "logs/airkit-audit-20240601T1105.csv";
            put(bucket, read, (HEADER + "\n" + row("evt-1105", "2024-06-01 11:05:00.000", "user_login"))
                    .getBytes(StandardCharsets.UTF_8));
            String eTag = client.listObjectsV2(b -> b.bucket(bucket).prefix(read)).contents().get(0).eTag();
            DedupeRepository other = new DedupeRepository(dir.resolve("state").resolve(AirkitEndpoint.STATE_SUBDIR), 100);
            other.start();
            other.add(read + "@" + eTag); // that replica read it and recorded it
            other.confirm(read + "@" + eTag);
            put(bucket, "logs/airkit-audit-20240601T1110.csv",
                    (HEADER + "\n" + row("evt-1110", "2024-06-01 11:10:00.000", "user_login")).getBytes(StandardCharsets.UTF_8));

            context.getRouteController().startRoute("source-airkit-s3"); // and back to this one
            RelayRunner.await(Duration.ofSeconds(60), () -> csvIds("out").size() >= 2);
            other.stop();
        } finally {
            relay.stop();
        }
        assertThat(csvIds("out")).as("the object the other replica read is not read again")
                .containsExactly("airkit:evt-1100", "airkit:evt-1110");
    }
}

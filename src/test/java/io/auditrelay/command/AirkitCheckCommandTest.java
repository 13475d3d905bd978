package io.auditrelay.command;

import io.auditrelay.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** airkit-check against a real S3 server (S3Proxy). */
class AirkitCheckCommandTest {

    private static S3ProxyServer s3;
    private static S3Client client;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

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

    private static String bucket() {
        String bucket = "airkit-check-" + UUID.randomUUID().toString().substring(0, 8);
        client.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    private static void put(String bucket, String key, String content) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
    }

    private Map<String, String> props(String bucket) {
        Map<String, String> props = new HashMap<>();
        props.put("relay.source.airkit.bucket", bucket);
        props.put("relay.source.airkit.endpoint", s3.httpUrl());
        props.put("relay.source.airkit.access-key", s3.accessKey());
        props.put("relay.source.airkit.secret-key", s3.secretKey());
        return props;
    }

    private int run(Map<String, String> props) {
        return new AirkitCheckCommand(props::get, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void a_bucket_with_airkits_verify_file_passes_and_the_newest_verify_file_was_read() {
        String bucket = bucket();
        put(bucket, "airkit-verify-test-1733000000", "");
        put(bucket, "airkit-verify-test-1733000300", "");
        put(bucket, "airkit-audit-1.csv", "ORGANIZATION_ID,EVENT_ID,EVENT_TIME,EVENT_TYPE\n");

        assertThat(run(props(bucket))).as(output()).isZero();

        assertThat(output()).contains("ok   the relay can list the bucket (3 objects)")
                .contains("ok   Airkit can deliver: it wrote airkit-verify-test-1733000300")
                .contains("ok   the relay can read the objects Airkit writes")
                .contains("1 audit file(s)")
                .doesNotContain(s3.secretKey());
    }

    @Test
    void a_verify_file_outside_the_relays_prefix_is_pointed_out() {
        String bucket = bucket();
        put(bucket, "airkit-verify-test-1733000000", "");
        Map<String, String> props = props(bucket);
        props.put("relay.source.airkit.prefix", "logs/");

        assertThat(run(props)).isZero();

        assertThat(output()).contains("warn the verify file is not under relay.source.airkit.prefix 'logs/'");
    }

    @Test
    void without_a_verify_file_the_check_fails_and_says_to_click_verify() {
        String bucket = bucket();
        put(bucket, "something-else.csv", "x");

        assertThat(run(props(bucket))).isEqualTo(1);

        assertThat(output()).contains("FAIL no airkit-verify-test-* object").contains("click Verify").contains("write policy");
    }

    @Test
    void refused_keys_fail_the_listing_and_name_the_permission() {
        String bucket = bucket();
        Map<String, String> props = props(bucket);
        props.put("relay.source.airkit.secret-key", "not-the-secret");

        assertThat(run(props)).isEqualTo(1);

        assertThat(output()).contains("FAIL the relay cannot list the bucket").contains("s3:ListBucket").doesNotContain("not-the-secret");
    }

    @Test
    void a_missing_bucket_setting_is_named() {
        assertThat(run(new HashMap<>())).isEqualTo(2);
        assertThat(output()).contains("relay.source.airkit.bucket");
    }
}

package io.auditrelay.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

@ExtendWith(RealServers.class)
class S3ProxyServerTest {

    private static S3Client client(S3ProxyServer s3, String secret) {
        return S3Client.builder()
                .endpointOverride(s3.endpoint())
                .forcePathStyle(true)
                .region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(s3.accessKey(), secret)))
                .build();
    }

    @Test
    @Timeout(120)
    void createsBucketPutsListsAndGetsAnObject(S3ProxyServer s3) {
        try (S3Client client = client(s3, s3.secretKey())) {
            String bucket = "audit-" + System.nanoTime();
            client.createBucket(b -> b.bucket(bucket));
            client.putObject(b -> b.bucket(bucket).key("2024/01/events.ndjson").contentType("application/x-ndjson"),
                    RequestBody.fromString("{\"id\":1}\n{\"id\":2}\n", StandardCharsets.UTF_8));

            assertThat(client.listObjectsV2(b -> b.bucket(bucket)).contents())
                    .extracting(S3Object::key).containsExactly("2024/01/events.ndjson");
            assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key("2024/01/events.ndjson")).asUtf8String())
                    .isEqualTo("{\"id\":1}\n{\"id\":2}\n");
        }
    }

    @Test
    @Timeout(120)
    void rejectsAWrongSecret(S3ProxyServer s3) {
        try (S3Client client = client(s3, "not-the-secret")) {
            assertThatThrownBy(client::listBuckets).isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(403));
        }
    }
}

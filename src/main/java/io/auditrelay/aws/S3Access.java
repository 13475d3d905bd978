package io.auditrelay.aws;

import io.auditrelay.settings.Settings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

/**
 * How to reach an S3 bucket, read from {@code <prefix>.region}, {@code .endpoint}, {@code .access-key} and
 * {@code .secret-key} (the keys also come from the environment, e.g. {@code RELAY_SOURCE_AIRKIT_ACCESS_KEY}).
 * Without keys the AWS default credentials provider chain is used (env, system properties, profile, IMDS/IRSA).
 * With an endpoint (an S3-compatible store) requests use path-style addressing.
 *
 * @param region    AWS region, e.g. us-east-1
 * @param endpoint  endpoint override for S3-compatible stores, or null for AWS
 * @param accessKey static access key, or null for the default provider chain
 * @param secretKey static secret key, or null for the default provider chain
 */
public record S3Access(String region, String endpoint, String accessKey, String secretKey) {

    public static S3Access from(Settings settings, String prefix) {
        return new S3Access(settings.get(prefix + ".region", "us-east-1"), settings.optional(prefix + ".endpoint"),
                settings.optional(prefix + ".access-key"), settings.optional(prefix + ".secret-key"));
    }

    /** Never shows the keys. */
    @Override
    public String toString() {
        return "S3Access[region=" + region + ", endpoint=" + endpoint + ", credentials="
                + (staticCredentials() ? "static keys" : "default provider chain") + "]";
    }

    public boolean staticCredentials() {
        return accessKey != null && secretKey != null;
    }

    public AwsCredentialsProvider credentials() {
        return staticCredentials()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))
                : DefaultCredentialsProvider.builder().build();
    }

    public S3Client client() {
        return client(true);
    }

    /** A client; with an endpoint, {@code forcePathStyle} false keeps virtual-hosted addressing (bucket in the host name). */
    public S3Client client(boolean forcePathStyle) {
        var builder = S3Client.builder().region(Region.of(region)).credentialsProvider(credentials());
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint)).forcePathStyle(forcePathStyle);
        }
        return builder.build();
    }
}

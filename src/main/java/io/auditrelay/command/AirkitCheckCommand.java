package io.auditrelay.command;

import io.auditrelay.aws.S3Access;
import io.auditrelay.source.airkit.AirkitEndpoint;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * {@code java -jar target/audit-relay.jar airkit-check}: with the Airkit source's settings
 * ({@code relay.source.airkit.bucket}, {@code prefix}, {@code region}, {@code endpoint}, keys), checks the setup the
 * Airkit doc asks for, read-only: the relay can list the bucket ({@code s3:ListBucket}); Airkit could write to it (the
 * newest {@code airkit-verify-test-*} object its Verify button writes is there); the relay can read that object
 * ({@code s3:GetObject}); the verify file and the audit files lie under the relay's prefix; and, where the store
 * answers, the bucket's ACLs are disabled (object ownership BucketOwnerEnforced). Prints one line per check; exits 0
 * when Airkit can deliver and the relay can read, 1 when not, 2 when the settings are incomplete.
 */
public final class AirkitCheckCommand {

    public static final String NAME = "airkit-check";
    /** How many keys the check lists at most (a few pages): enough to find a verify file and some audit files. */
    static final int MAX_KEYS = 10_000;

    private final Function<String, String> property;
    private final PrintStream out;

    /** @param property relay property or environment variable by name (null when unset) */
    public AirkitCheckCommand(Function<String, String> property, PrintStream out) {
        this.property = property;
        this.out = out;
    }

    /** The command as run from {@code main}: properties from -D, the environment and application.properties. */
    public static AirkitCheckCommand fromEnvironment() {
        return new AirkitCheckCommand(CommandProperties.fromEnvironment(), System.out);
    }

    public int run(String... args) {
        if (args.length > 0) {
            out.println(NAME + ": takes no arguments; it reads relay.source.airkit.* (bucket, prefix, region, endpoint, keys)");
            return 2;
        }
        String bucket = property.apply("relay.source.airkit.bucket");
        if (bucket == null) {
            out.println(NAME + ": set relay.source.airkit.bucket to the bucket Airkit delivers to");
            return 2;
        }
        String prefix = property.apply("relay.source.airkit.prefix");
        prefix = prefix == null ? "" : prefix;
        S3Access access = new S3Access(orElse(property.apply("relay.source.airkit.region"), "us-east-1"),
                property.apply("relay.source.airkit.endpoint"), property.apply("relay.source.airkit.access-key"),
                property.apply("relay.source.airkit.secret-key"));
        out.println(NAME + ": bucket s3://" + bucket + "/" + prefix + " with " + access);
        try (S3Client client = access.client()) {
            return check(client, bucket, prefix);
        }
    }

    private int check(S3Client client, String bucket, String prefix) {
        List<S3Object> objects = new ArrayList<>();
        try {
            String token = null;
            do {
                String page = token;
                ListObjectsV2Response response = client.listObjectsV2(b -> b.bucket(bucket).continuationToken(page));
                objects.addAll(response.contents());
                token = Boolean.TRUE.equals(response.isTruncated()) ? response.nextContinuationToken() : null;
            } while (token != null && objects.size() < MAX_KEYS);
        } catch (SdkException e) {
            out.println("FAIL the relay cannot list the bucket: " + reason(e));
            out.println("     the relay's identity needs s3:ListBucket on arn:aws:s3:::" + bucket + " (docs/airkit.md, read policy)");
            return 1;
        }
        out.println("ok   the relay can list the bucket (" + objects.size() + (objects.size() >= MAX_KEYS ? "+" : "") + " objects)");
        ownership(client, bucket);

        S3Object verify = objects.stream().filter(o -> isVerifyFile(o.key()))
                .max(Comparator.comparing(S3Object::lastModified).thenComparing(S3Object::key)).orElse(null);
        if (verify == null) {
            out.println("FAIL no " + AirkitEndpoint.VERIFY_PREFIX + "* object: Airkit has not written to this bucket yet. In the Airkit"
                    + " Console (Settings > Logs and App Notifiers > System Audit Logs > S3 bucket) enter " + bucket + " and click"
                    + " Verify; if Airkit reports an error, the bucket policy does not let Airkit write (docs/airkit.md,"
                    + " Airkit's write policy)");
            return 1;
        }
        out.println("ok   Airkit can deliver: it wrote " + verify.key() + " (" + verify.lastModified() + ")");
        try {
            client.getObject(b -> b.bucket(bucket).key(verify.key()), (response, in) -> in.readAllBytes());
        } catch (SdkException e) {
            out.println("FAIL the relay cannot read " + verify.key() + ": " + reason(e));
            out.println("     the relay's identity needs s3:GetObject on arn:aws:s3:::" + bucket + "/* (and, with ACLs enabled,"
                    + " objects Airkit writes may belong to Airkit's account: create the bucket with ACLs disabled)");
            return 1;
        }
        out.println("ok   the relay can read the objects Airkit writes (it read " + verify.key() + ")");
        if (!verify.key().startsWith(prefix)) {
            out.println("warn the verify file is not under relay.source.airkit.prefix '" + prefix + "': Airkit's files land"
                    + " outside it and the relay would not read them; set the prefix to where Airkit writes");
        }
        long audit = objects.stream().filter(o -> o.key().startsWith(prefix) && !isVerifyFile(o.key())
                && !o.key().endsWith("/")).count();
        out.println("info " + audit + " audit file(s) under the prefix so far (Airkit writes one every five minutes when there"
                + " are events)");
        return 0;
    }

    /** ACLs disabled is object ownership BucketOwnerEnforced; a store that cannot say is reported as unchecked. */
    private void ownership(S3Client client, String bucket) {
        try {
            var rules = client.getBucketOwnershipControls(b -> b.bucket(bucket)).ownershipControls().rules();
            boolean enforced = rules.stream().anyMatch(r -> r.objectOwnership() == ObjectOwnership.BUCKET_OWNER_ENFORCED);
            out.println(enforced ? "ok   ACLs are disabled (object ownership BucketOwnerEnforced), as the Airkit doc asks"
                    : "warn ACLs are enabled on the bucket (object ownership " + rules + "): the Airkit doc asks for ACLs disabled,"
                    + " so that the bucket owner owns what Airkit writes");
        } catch (SdkException e) {
            out.println("info the bucket's object ownership could not be read (" + reason(e) + "); check in the S3 console that"
                    + " ACLs are disabled");
        }
    }

    private static boolean isVerifyFile(String key) {
        return key.substring(key.lastIndexOf('/') + 1).startsWith(AirkitEndpoint.VERIFY_PREFIX);
    }

    private static String reason(SdkException e) {
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            return s3.statusCode() + " " + s3.awsErrorDetails().errorCode() + ": " + s3.awsErrorDetails().errorMessage();
        }
        return e.getMessage();
    }

    private static String orElse(String value, String fallback) {
        return value == null ? fallback : value;
    }
}

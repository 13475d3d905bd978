package io.auditrelay.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real S3-compatible endpoint: S3Proxy ({@code org.gaul:s3proxy:jar-with-dependencies}, see
 * scripts/servers/s3proxy/pom.xml) as a child process ({@code java -jar}) on a free loopback port, SigV2/V4 auth
 * with a fixed test identity, filesystem backend under {@code target/servers-run/}.
 *
 * <pre>
 * S3ProxyServer s3 = S3ProxyServer.shared();
 * S3Client client = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true)
 *     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
 *     .region(Region.US_EAST_1).build();
 * </pre>
 */
public final class S3ProxyServer extends ManagedServer {

    public static final String ACCESS_KEY = "audit-relay-test-access-key";
    public static final String SECRET_KEY = "audit-relay-test-secret-key";
    public static final String REGION = "us-east-1";

    private static S3ProxyServer shared;

    private int port;
    private int fixedPort;
    private boolean transientBackend;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Path jar;
    private Path config;

    public S3ProxyServer() {
        super("s3proxy");
    }

    /** The instance shared by the whole test run: started on first use, stopped by a JVM shutdown hook. */
    public static synchronized S3ProxyServer shared() {
        if (shared == null || !shared.isRunning()) {
            S3ProxyServer s = new S3ProxyServer();
            s.start();
            s.stopAtJvmExit();
            shared = s;
        }
        return shared;
    }

    /** Keep blobs in memory ({@code jclouds.provider=transient}) instead of files under target/. */
    public S3ProxyServer transientBackend(boolean inMemory) {
        this.transientBackend = inMemory;
        return this;
    }

    /** Listen on this port instead of a free one, e.g. to start a stopped server again where clients expect it. */
    public S3ProxyServer port(int port) {
        this.fixedPort = port;
        return this;
    }

    public S3ProxyServer startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    /** {@code http://127.0.0.1:<port>} for {@code endpointOverride} (use path-style access). */
    public URI endpoint() {
        return URI.create(httpUrl());
    }

    public String httpUrl() {
        return "http://" + HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /**
     * The keys of a bucket, without S3Proxy's uploads in flight. Its filesystem backend (jclouds
     * FilesystemStorageStrategyImpl.putBlob) writes an object to {@code <key>-<random UUID>} and then renames it, and
     * a listing in between shows that temporary name (a GET of it after the rename is a 404). Real S3 never lists an
     * object before its PUT returns, so tests list through this.
     */
    public static List<String> keys(software.amazon.awssdk.services.s3.S3Client client, String bucket) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream()
                .map(software.amazon.awssdk.services.s3.model.S3Object::key)
                .filter(key -> !IN_FLIGHT.matcher(key).find()).sorted().toList();
    }

    private static final java.util.regex.Pattern IN_FLIGHT =
            java.util.regex.Pattern.compile("-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    @Override
    protected void doStart(Path lib) {
        port = fixedPort > 0 ? fixedPort : freePort();
        Path jar;
        try (Stream<Path> s = Files.list(lib)) {
            jar = s.filter(p -> p.getFileName().toString().matches("s3proxy-.*-jar-with-dependencies\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException(
                            "s3proxy: no s3proxy-*-jar-with-dependencies.jar in " + lib
                                    + ": run `FORCE=1 bash scripts/fetch-servers.sh s3proxy`"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path blobs = workDir.resolve("data/blobs");
        try {
            Files.createDirectories(blobs);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Path config = workDir.resolve("s3proxy.conf");
        write(config, String.join("\n",
                "s3proxy.endpoint=" + httpUrl(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=" + (transientBackend ? "transient" : "filesystem"),
                "jclouds.identity=" + ACCESS_KEY,
                "jclouds.credential=" + SECRET_KEY,
                "jclouds.filesystem.basedir=" + blobs.toAbsolutePath(),
                ""));
        this.jar = jar;
        this.config = config;
        launchAndAwait();
    }

    @Override
    protected void doResume(Path lib) {
        launchAndAwait();
    }

    private void launchAndAwait() {
        process = launchJava(null,
                List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-DLOG_LEVEL=info"),
                List.of("-jar", jar.toAbsolutePath().toString(), "--properties", config.toAbsolutePath().toString()));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest probe = HttpRequest.newBuilder(endpoint()).timeout(Duration.ofSeconds(2)).GET().build();
        // any HTTP answer (403 for an unsigned request) means Jetty and the S3 handler are up
        awaitReady(startTimeout, "HTTP answer from " + httpUrl(),
                () -> portOpen(port) && http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() > 0);
    }
}

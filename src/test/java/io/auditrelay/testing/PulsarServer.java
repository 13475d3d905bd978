package io.auditrelay.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real Pulsar standalone ({@code org.apache.pulsar:pulsar-broker}, see scripts/servers/pulsar/pom.xml) as a
 * separate JVM: RocksDB metadata store, one in-process bookie, no functions worker / stream storage / websocket /
 * transactions, free loopback ports for the binary protocol and the web service, data under
 * {@code target/servers-run/}. Optionally with JWT token authentication (HS256 secret key generated per run).
 *
 * <pre>
 * PulsarServer pulsar = PulsarServer.shared();       // started once per test JVM, stopped at exit
 * PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
 * </pre>
 *
 * With authentication: {@code new PulsarServer().withTokenAuth()} then
 * {@code .authentication(AuthenticationFactory.token(pulsar.superUserToken()))}. With TLS:
 * {@code new PulsarServer().withTls(TestCa.create(dir, "ip:127.0.0.1"))}, then {@link #tlsServiceUrl()}.
 */
public final class PulsarServer extends ManagedServer {

    public static final String CLUSTER = "standalone";
    public static final String SUPERUSER = "superuser";

    private static PulsarServer shared;

    private int brokerPort;
    private int webPort;
    private boolean tokenAuth;
    private TestCa tls;
    private int brokerTlsPort;
    private byte[] secretKey;
    private Duration startTimeout = Duration.ofSeconds(180);
    private List<String> jvm;
    private Path config;

    public PulsarServer() {
        super("pulsar");
    }

    /** The standalone shared by the whole test run (no auth): started on first use, stopped at JVM exit. */
    public static synchronized PulsarServer shared() {
        if (shared == null || !shared.isRunning()) {
            PulsarServer s = new PulsarServer();
            s.start();
            s.stopAtJvmExit();
            shared = s;
        }
        return shared;
    }

    /**
     * Enables token authentication ({@code AuthenticationProviderToken}, HS256 secret key file in the work dir)
     * and authorization with {@value #SUPERUSER} as super-user role. Call before {@link #start()}.
     */
    public PulsarServer withTokenAuth() {
        this.tokenAuth = true;
        return this;
    }

    /**
     * Adds a TLS broker port ({@link #tlsServiceUrl()}) serving the broker certificate of {@code ca} (key store mode);
     * the plain port stays. Call before {@link #start()}.
     */
    public PulsarServer withTls(TestCa ca) {
        this.tls = ca;
        return this;
    }

    /** {@code pulsar+ssl://127.0.0.1:<brokerTlsPort>} (TLS only). */
    public String tlsServiceUrl() {
        return "pulsar+ssl://" + HOST + ":" + brokerTlsPort;
    }

    public int brokerTlsPort() {
        return brokerTlsPort;
    }

    public PulsarServer startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    public boolean tokenAuthEnabled() {
        return tokenAuth;
    }

    /** {@code pulsar://127.0.0.1:<brokerPort>} for the client's serviceUrl. */
    public String serviceUrl() {
        return "pulsar://" + HOST + ":" + brokerPort;
    }

    /** {@code http://127.0.0.1:<webPort>} for the admin REST API / http lookups. */
    public String httpUrl() {
        return "http://" + HOST + ":" + webPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int webPort() {
        return webPort;
    }

    /** The secret key file the broker validates tokens with (token auth only). */
    public Path secretKeyFile() {
        return workDir.resolve("secret.key");
    }

    /** A token for the super-user role (token auth only). */
    public String superUserToken() {
        return token(SUPERUSER);
    }

    /** Mints an HS256 JWT with {@code sub=role}, signed with this run's secret key (token auth only). */
    public String token(String role) {
        if (!tokenAuth || secretKey == null) {
            throw new IllegalStateException("pulsar: token authentication is not enabled (use withTokenAuth())");
        }
        return hs256Jwt(secretKey, role);
    }

    static String hs256Jwt(byte[] key, String subject) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"" + subject.replace("\"", "\\\"") + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64.encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void doStart(Path lib) {
        brokerPort = freePort();
        do {
            webPort = freePort();
        } while (webPort == brokerPort);
        if (tls != null) {
            do {
                brokerTlsPort = freePort();
            } while (brokerTlsPort == brokerPort || brokerTlsPort == webPort);
        }

        List<String> conf = new ArrayList<>(List.of(
                "clusterName=" + CLUSTER,
                "advertisedAddress=" + HOST,
                "bindAddress=" + HOST,
                "brokerServicePort=" + brokerPort,
                "webServicePort=" + webPort,
                "managedLedgerDefaultEnsembleSize=1",
                "managedLedgerDefaultWriteQuorum=1",
                "managedLedgerDefaultAckQuorum=1",
                "loadManagerClassName=org.apache.pulsar.broker.loadbalance.NoopLoadManager",
                "functionsWorkerEnabled=false",
                "webSocketServiceEnabled=false",
                "transactionCoordinatorEnabled=false",
                "allowAutoTopicCreation=true",
                "allowAutoTopicCreationType=non-partitioned",
                "brokerDeleteInactiveTopicsEnabled=false",
                "managedLedgerCacheSizeMB=32",
                "dbStorage_writeCacheMaxSizeMb=16",
                "dbStorage_readAheadCacheMaxSizeMb=16",
                "dbStorage_rocksDB_blockCacheSize=16777216",
                "journalPreAllocSizeMB=4",
                "maxMessageSize=5242880"));
        if (tokenAuth) {
            secretKey = new byte[32];
            new SecureRandom().nextBytes(secretKey);
            try {
                Files.write(secretKeyFile(), secretKey);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            conf.addAll(List.of(
                    "authenticationEnabled=true",
                    "authenticationProviders=org.apache.pulsar.broker.authentication.AuthenticationProviderToken",
                    "tokenSecretKey=file://" + secretKeyFile().toAbsolutePath(),
                    "authorizationEnabled=true",
                    "superUserRoles=" + SUPERUSER,
                    "brokerClientAuthenticationPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken",
                    "brokerClientAuthenticationParameters=token:" + superUserToken()));
        }
        if (tls != null) {
            conf.addAll(List.of(
                    "brokerServicePortTls=" + brokerTlsPort,
                    "tlsEnabledWithKeyStore=true",
                    "tlsKeyStoreType=PKCS12",
                    "tlsKeyStore=" + tls.brokerKeyStore().toAbsolutePath(),
                    "tlsKeyStorePassword=" + tls.password(),
                    "tlsTrustStoreType=PKCS12",
                    "tlsTrustStore=" + tls.trustStore().toAbsolutePath(),
                    "tlsTrustStorePassword=" + tls.password()));
        }
        Path config = workDir.resolve("standalone.conf");
        write(config, String.join("\n", conf) + "\n");
        Path log4j = workDir.resolve("log4j2.yaml");
        write(log4j, String.join("\n",
                "Configuration:",
                "  status: warn",
                "  Appenders:",
                "    Console:",
                "      name: out",
                "      target: SYSTEM_OUT",
                "      PatternLayout:",
                "        Pattern: \"%d{HH:mm:ss.SSS} %-5level %c{1.} - %msg%n\"",
                "  Loggers:",
                "    Root:",
                "      level: info",
                "      AppenderRef:",
                "        - ref: out",
                ""));

        List<String> jvm = List.of("-Xms128m", "-Xmx512m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Dio.netty.tryReflectionSetAccessible=true",
                "-Dpulsar.allocator.exit_on_oom=true",
                "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
        this.jvm = jvm;
        this.config = config;
        launchAndAwait(lib);
    }

    @Override
    protected void doResume(Path lib) {
        launchAndAwait(lib);
    }

    private void launchAndAwait(Path lib) {
        Path data = workDir.resolve("data");
        process = launchJava(lib, jvm, List.of("org.apache.pulsar.PulsarStandaloneStarter",
                "--config", config.toAbsolutePath().toString(),
                "-nfw", "-nss",
                "--bookkeeper-port", "0",
                "--bookkeeper-dir", data.resolve("bookkeeper").toAbsolutePath().toString(),
                "--metadata-dir", data.resolve("metadata").toAbsolutePath().toString(),
                "--advertised-address", HOST));

        // ready = the cluster and the public/default namespace exist (the standalone creates them last)
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        awaitReady(startTimeout, "GET " + httpUrl() + "/admin/v2/namespaces/public lists public/default", () ->
                portOpen(webPort)
                        && get(http, "/admin/v2/clusters").contains(CLUSTER)
                        && get(http, "/admin/v2/namespaces/public").contains("public/default")
                        && portOpen(brokerPort) && (tls == null || portOpen(brokerTlsPort)));
    }

    private String get(HttpClient http, String path) throws Exception {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(httpUrl() + path))
                .timeout(Duration.ofSeconds(3)).GET();
        if (tokenAuth) {
            rb.header("Authorization", "Bearer " + superUserToken());
        }
        HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? r.body() : "";
    }
}

package io.auditrelay.source.astra;

import io.auditrelay.testing.Output;
import io.auditrelay.testing.PulsarServer;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.TestCa;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Astra source against a Pulsar standalone with token authentication and TLS, its broker certificate signed by a
 * CA made at test time (for 127.0.0.1 and localhost only): the Astra Portal's client.conf format, a PEM CA file, a PKCS12 trust
 * store, hostname verification, and the JVM's default trust refusing the private CA.
 */
class AstraPulsarTlsTest {

    @TempDir
    static Path keys;

    private static PulsarServer pulsar;
    private static TestCa ca;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        // the client checks the name it connected with, and for an address the name it looks up for it (localhost)
        ca = TestCa.create(keys.resolve("ca"), "ip:127.0.0.1", "dns:localhost");
        pulsar = new PulsarServer().withTokenAuth().withTls(ca);
        pulsar.start();
    }

    @AfterAll
    static void stop() {
        if (pulsar != null) {
            pulsar.stop();
        }
    }

    private static String topicWith(String... ids) throws Exception {
        String topic = "persistent://public/default/astra-tls-" + UUID.randomUUID();
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .authentication(AuthenticationFactory.token(pulsar.superUserToken())).build();
             Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).create()) {
            for (String id : ids) {
                producer.send(AstraPulsarSourceTest.event(id, "db-" + id));
            }
        }
        return topic;
    }

    @Test
    void a_client_conf_as_the_astra_portal_downloads_it_gives_url_token_and_tls_and_the_events_flow() throws Exception {
        String topic = topicWith("u-1", "u-2");
        Path conf = dir.resolve("client.conf");
        // the layout of the Connect tab's client.conf, pointing at the test broker and its CA
        Files.writeString(conf, String.join("\n",
                "# Pulsar Client configuration",
                "webServiceUrl=" + pulsar.httpUrl() + "/",
                "brokerServiceUrl=" + pulsar.tlsServiceUrl(),
                "authPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken",
                "authParams=token:" + pulsar.superUserToken(),
                "tlsAllowInsecureConnection=false",
                "tlsEnableHostnameVerification=true",
                "tlsTrustCertsFilePath=" + ca.caPem(),
                ""));

        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "csv")
                .with("relay.source.astra.enabled", "true")
                .with("relay.source.astra.client-conf", conf.toString())
                .with("relay.source.astra.topic", topic)
                .with("relay.source.astra.idle-timeout", "1500");
        relay.runOnce(Duration.ofSeconds(120));

        assertThat(Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,"))).hasSize(2);
        AstraPulsarSettings settings = AstraPulsarSettings.read(relay.properties()::get);
        assertThat(settings.serviceUrl()).isEqualTo(pulsar.tlsServiceUrl());
        assertThat(settings.auth()).isEqualTo("token");
        assertThat(settings.tls().trustCertsFile()).isEqualTo(ca.caPem().toString());
        assertThat(settings.toString()).doesNotContain(pulsar.superUserToken());
    }

    @Test
    void a_pkcs12_trust_store_with_its_password_is_trusted() throws Exception {
        String topic = topicWith("s-1");
        PulsarTls tls = new PulsarTls(null, ca.trustStore().toString(), "PKCS12", ca.password(), true, false);
        assertThat(tls.toString()).doesNotContain(ca.password());
        assertThat(consumeOne(pulsar.tlsServiceUrl(), tls, topic)).contains("s-1");
    }

    @Test
    void hostname_verification_refuses_a_name_the_certificate_does_not_carry_unless_turned_off() throws Exception {
        String topic = topicWith("h-1");
        // this machine's own host name reaches the loopback broker, and the certificate does not carry it
        String byName = "pulsar+ssl://" + loopbackAlias() + ":" + pulsar.brokerTlsPort();
        PulsarTls trusted = new PulsarTls(ca.caPem().toString(), null, null, null, true, false);
        assertThat(consumeOne("pulsar+ssl://localhost:" + pulsar.brokerTlsPort(), trusted, topic)).contains("h-1");
        PulsarTls verified = new PulsarTls(ca.caPem().toString(), null, null, null, true, false);
        assertThatThrownBy(() -> consumeOne(byName, verified, topic)).isInstanceOf(Exception.class);

        PulsarTls unverified = new PulsarTls(ca.caPem().toString(), null, null, null, false, false);
        assertThat(consumeOne(byName, unverified, topic)).contains("h-1");
    }

    @Test
    void the_jvm_default_trust_refuses_the_private_ca() throws Exception {
        String topic = topicWith("d-1");
        assertThatThrownBy(() -> consumeOne(pulsar.tlsServiceUrl(), PulsarTls.DEFAULT, topic)).isInstanceOf(Exception.class);
    }

    /**
     * A name other than localhost that resolves to 127.0.0.1, where the broker listens: this machine's host name, or
     * another alias of 127.0.0.1 in /etc/hosts (sandboxes write their own, e.g. {@code 127.0.0.1 runsc}).
     */
    private static String loopbackAlias() throws Exception {
        java.util.List<String> candidates = new java.util.ArrayList<>();
        candidates.add(java.net.InetAddress.getLocalHost().getHostName());
        java.nio.file.Path hosts = java.nio.file.Path.of("/etc/hosts");
        if (java.nio.file.Files.isReadable(hosts)) {
            for (String line : java.nio.file.Files.readAllLines(hosts)) {
                String[] fields = line.replaceAll("#.*", "").trim().split("\\s+");
                if (fields.length > 1 && fields[0].equals("127.0.0.1")) {
                    candidates.addAll(java.util.Arrays.asList(fields).subList(1, fields.length));
                }
            }
        }
        for (String name : candidates) {
            try {
                if (!name.equalsIgnoreCase("localhost") && java.util.Arrays.stream(java.net.InetAddress.getAllByName(name))
                        .anyMatch(a -> a.getHostAddress().equals("127.0.0.1"))) {
                    return name;
                }
            } catch (java.net.UnknownHostException unresolved) {
                // the next candidate
            }
        }
        throw new AssertionError("this test needs a name other than localhost that resolves to 127.0.0.1 (the host name"
                + " or an alias in /etc/hosts); tried " + candidates);
    }

    /** Subscribes from the earliest message over TLS with {@code tls} and returns the first message. */
    private static String consumeOne(String serviceUrl, PulsarTls tls, String topic) throws Exception {
        ClientBuilder builder = PulsarClient.builder().serviceUrl(serviceUrl)
                .authentication(AuthenticationFactory.token(pulsar.superUserToken()))
                .operationTimeout(8, TimeUnit.SECONDS).connectionTimeout(5, TimeUnit.SECONDS);
        tls.apply(builder);
        try (PulsarClient client = builder.build();
             org.apache.pulsar.client.api.Consumer<String> consumer = client.newConsumer(Schema.STRING).topic(topic)
                     .subscriptionName("tls-" + UUID.randomUUID())
                     .subscriptionInitialPosition(org.apache.pulsar.client.api.SubscriptionInitialPosition.Earliest)
                     .subscribe()) {
            org.apache.pulsar.client.api.Message<String> message = consumer.receive(20, TimeUnit.SECONDS);
            assertThat(message).isNotNull();
            return message.getValue();
        }
    }
}

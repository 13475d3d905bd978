package io.auditrelay.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A dedicated standalone with JWT token authentication + authorization (superuser role). */
@Timeout(300)
class PulsarServerTokenAuthTest {

    private static PulsarServer pulsar;

    @BeforeAll
    static void start() {
        pulsar = new PulsarServer().withTokenAuth();
        pulsar.start();
    }

    @AfterAll
    static void stop() {
        if (pulsar != null) {
            pulsar.stop();
        }
    }

    private static String topic() {
        return "persistent://public/default/auth-" + UUID.randomUUID();
    }

    @Test
    void superUserTokenCanProduceAndConsume() throws Exception {
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .authentication(AuthenticationFactory.token(pulsar.superUserToken()))
                .operationTimeout(30, TimeUnit.SECONDS).build()) {
            assertThat(PulsarServerTest.roundTrip(client, topic())).hasSize(10);
        }
    }

    @Test
    void clientWithoutTokenIsRejected() throws Exception {
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .operationTimeout(10, TimeUnit.SECONDS).build()) {
            assertThatThrownBy(() -> client.newProducer(Schema.STRING).topic(topic()).create())
                    .isInstanceOf(PulsarClientException.AuthenticationException.class);
        }
    }

    @Test
    void tokenSignedWithAnotherKeyIsRejected() throws Exception {
        String forged = PulsarServer.hs256Jwt(new byte[32], PulsarServer.SUPERUSER);
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .authentication(AuthenticationFactory.token(forged))
                .operationTimeout(10, TimeUnit.SECONDS).build()) {
            assertThatThrownBy(() -> client.newProducer(Schema.STRING).topic(topic()).create())
                    .isInstanceOf(PulsarClientException.AuthenticationException.class);
        }
    }

    @Test
    void nonSuperUserRoleIsNotAuthorizedByDefault() throws Exception {
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl())
                .authentication(AuthenticationFactory.token(pulsar.token("someone-else")))
                .operationTimeout(10, TimeUnit.SECONDS).build()) {
            assertThatThrownBy(() -> client.newProducer(Schema.STRING).topic(topic()).create())
                    .isInstanceOf(PulsarClientException.AuthorizationException.class);
        }
    }
}

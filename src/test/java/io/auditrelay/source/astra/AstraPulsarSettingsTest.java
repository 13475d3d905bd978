package io.auditrelay.source.astra;

import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.impl.PulsarClientImpl;
import org.apache.pulsar.client.impl.auth.AuthenticationToken;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AstraPulsarSettingsTest {

    @Test
    void token_auth_and_the_pulsar_ssl_service_url_reach_the_client_configuration() throws Exception {
        Map<String, String> props = Map.of(
                "relay.source.astra.service-url", "pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651",
                "relay.source.astra.topic", "persistent://t/ns/audit-a, persistent://t/ns/audit-b",
                "relay.source.astra.token", "the-token");
        AstraPulsarSettings settings = AstraPulsarSettings.read(props::get).validate();
        assertThat(settings.topics()).containsExactly("persistent://t/ns/audit-a", "persistent://t/ns/audit-b");
        assertThat(settings.subscription()).isEqualTo("audit-relay");
        assertThat(settings.subscriptionTypeEnum()).isEqualTo("FAILOVER");
        assertThat(settings.describe()).doesNotContain("the-token");
        try (PulsarClient client = settings.client()) {
            var conf = ((PulsarClientImpl) client).getConfiguration();
            assertThat(conf.getServiceUrl()).isEqualTo("pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651");
            assertThat(conf.getAuthentication()).isInstanceOf(AuthenticationToken.class);
            assertThat(((AuthenticationToken) conf.getAuthentication()).getAuthData().getCommandData()).isEqualTo("the-token");
        }
    }

    @Test
    void missing_settings_are_named() {
        assertThatThrownBy(() -> AstraPulsarSettings.read(Map.of("relay.source.astra.service-url", "pulsar://h:6650",
                "relay.source.astra.topic", "persistent://t/ns/a")::get).validate())
                .hasMessageContaining("relay.source.astra.token");
        assertThatThrownBy(() -> AstraPulsarSettings.read(Map.of("relay.source.astra.service-url", "pulsar://h:6650",
                "relay.source.astra.topic", "persistent://t/ns/a", "relay.source.astra.auth", "oauth2")::get).validate())
                .hasMessageContaining("oauth2.issuer-url");
    }
}

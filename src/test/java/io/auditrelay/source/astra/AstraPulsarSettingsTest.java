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

    @Test
    void an_oauth2_client_conf_gives_the_oauth2_settings_and_explicit_properties_win(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path conf = dir.resolve("client.conf");
        java.nio.file.Files.writeString(conf, String.join("\n",
                "brokerServiceUrl=pulsar+ssl://broker.example:6651",
                "authPlugin=org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2",
                "authParams={\"type\":\"client_credentials\",\"privateKey\":\"file:///etc/relay/key.json\","
                        + "\"issuerUrl\":\"https://auth.example/\",\"audience\":\"urn:sn:pulsar:o:i\",\"scope\":\"audit\"}",
                "useKeyStoreTls=true",
                "tlsTrustStorePath=/etc/relay/trust.jks",
                "tlsTrustStoreType=JKS",
                "tlsTrustStorePassword=changeit",
                "tlsEnableHostnameVerification=false", ""));
        Map<String, String> props = Map.of("relay.source.astra.client-conf", conf.toString(),
                "relay.source.astra.topic", "persistent://t/ns/a",
                "relay.source.astra.oauth2.scope", "explicit-scope");

        AstraPulsarSettings settings = AstraPulsarSettings.read(props::get).validate();

        assertThat(settings.serviceUrl()).isEqualTo("pulsar+ssl://broker.example:6651");
        assertThat(settings.auth()).isEqualTo("oauth2");
        assertThat(settings.issuerUrl()).isEqualTo("https://auth.example/");
        assertThat(settings.credentialsUrl()).isEqualTo("file:///etc/relay/key.json");
        assertThat(settings.audience()).isEqualTo("urn:sn:pulsar:o:i");
        assertThat(settings.scope()).isEqualTo("explicit-scope");
        assertThat(settings.tls()).isEqualTo(new PulsarTls(null, "/etc/relay/trust.jks", "JKS", "changeit", false, false));
        assertThat(settings.describe()).doesNotContain("changeit");
    }

    @Test
    void an_unsupported_auth_plugin_or_a_missing_file_is_named(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path conf = dir.resolve("client.conf");
        java.nio.file.Files.writeString(conf, "brokerServiceUrl=pulsar://h:6650\nauthPlugin=org.apache.pulsar.client.impl.auth.AuthenticationTls\n");
        assertThatThrownBy(() -> AstraPulsarSettings.read(Map.of("relay.source.astra.client-conf", conf.toString())::get))
                .hasMessageContaining("AuthenticationTls").hasMessageContaining(conf.toString());
        assertThatThrownBy(() -> AstraPulsarSettings.read(Map.of("relay.source.astra.client-conf", dir.resolve("none.conf").toString())::get))
                .hasMessageContaining("none.conf").hasMessageContaining("relay.source.astra.client-conf");
    }
}

package io.auditrelay.source.astra;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit-astra endpoint's options: parsed from its URI and from the Kamelet's properties intact, checked in one sentence. */
class AstraEndpointTest {

    @Test
    void options_from_the_uri_reach_the_settings_intact_and_the_token_is_not_in_the_logged_uri() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            AstraEndpoint endpoint = context.getEndpoint("audit-astra:persistent://t/ns/audit-a,persistent://t/ns/audit-b"
                    + "?serviceUrl=RAW(pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651)&token=RAW(ab+c/d=)"
                    + "&subscriptionType=Key_Shared&nackRedeliveryDelay=250", AstraEndpoint.class);
            AstraPulsarSettings settings = endpoint.settings();
            assertThat(settings.topics()).containsExactly("persistent://t/ns/audit-a", "persistent://t/ns/audit-b");
            assertThat(settings.serviceUrl()).isEqualTo("pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651");
            assertThat(settings.token()).isEqualTo("ab+c/d=");
            assertThat(settings.auth()).isEqualTo("token");
            assertThat(settings.subscription()).isEqualTo("audit-relay");
            assertThat(settings.subscriptionTypeValue()).hasToString("Key_Shared");
            assertThat(endpoint.getNackRedeliveryDelay()).isEqualTo(250);
            assertThat(endpoint.toString()).doesNotContain("ab+c/d=");
            assertThat(settings.describe()).doesNotContain("ab+c/d=");
        }
    }

    @Test
    void a_missing_or_wrong_option_is_named() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.start();
            assertThatThrownBy(() -> context.getEndpoint("audit-astra:persistent://t/ns/a?serviceUrl=pulsar://h:6650",
                    AstraEndpoint.class).settings()).hasMessageContaining("token").hasMessageContaining("relay.source.astra.token");
            assertThatThrownBy(() -> context.getEndpoint("audit-astra:persistent://t/ns/b?auth=none", AstraEndpoint.class)
                    .settings()).hasMessageContaining("serviceUrl");
            assertThatThrownBy(() -> context.getEndpoint("audit-astra:persistent://t/ns/c?serviceUrl=pulsar://h:6650&auth=oauth2",
                    AstraEndpoint.class).settings()).hasMessageContaining("issuerUrl");
            assertThatThrownBy(() -> context.getEndpoint("audit-astra:persistent://t/ns/d?serviceUrl=pulsar://h:6650&auth=none"
                    + "&subscriptionType=Sometimes", AstraEndpoint.class).settings()).hasMessageContaining("subscriptionType");
            assertThatThrownBy(() -> context.getEndpoint("audit-astra:persistent://t/ns/e?serviceUrl=pulsar://h:6650&auth=kerberos",
                    AstraEndpoint.class).settings()).hasMessageContaining("token, oauth2 or none");
        }
    }

    @Test
    void kamelet_properties_holding_urls_and_tokens_arrive_intact() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("camel.kamelet.astra-audit-source.serviceUrl", "pulsar+ssl://127.0.0.1:1");
        properties.setProperty("camel.kamelet.astra-audit-source.topic", "persistent://t/ns/audit-a,persistent://t/ns/audit-b");
        properties.setProperty("camel.kamelet.astra-audit-source.token", "eyJ+a/b=:c");
        properties.setProperty("camel.kamelet.astra-audit-source.auth", "oauth2");
        properties.setProperty("camel.kamelet.astra-audit-source.issuerUrl", "https://auth.example:8443/oauth?x=1&y=2");
        properties.setProperty("camel.kamelet.astra-audit-source.credentialsUrl", "data:application/json;base64,eyJ+a/b==");
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(properties);
            context.setAutoStartup(false); // the endpoint is made, nothing connects
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:astra-audit-source").to("mock:out");
                }
            });
            context.start();
            AstraEndpoint endpoint = context.getEndpoints().stream().filter(AstraEndpoint.class::isInstance)
                    .map(AstraEndpoint.class::cast).findFirst().orElseThrow();
            AstraPulsarSettings settings = endpoint.settings();
            assertThat(settings.serviceUrl()).isEqualTo("pulsar+ssl://127.0.0.1:1");
            assertThat(settings.topics()).containsExactly("persistent://t/ns/audit-a", "persistent://t/ns/audit-b");
            assertThat(settings.token()).isEqualTo("eyJ+a/b=:c");
            assertThat(settings.issuerUrl()).isEqualTo("https://auth.example:8443/oauth?x=1&y=2");
            assertThat(settings.credentialsUrl()).isEqualTo("data:application/json;base64,eyJ+a/b==");
            assertThat(settings.audience()).isNull();
            assertThat(settings.subscription()).isEqualTo("audit-relay");
            assertThat(settings.subscriptionTypeValue()).hasToString("Failover");
            assertThat(endpoint.getNackRedeliveryDelay()).isEqualTo(1000);
        }
    }

    @Test
    void a_kamelet_with_only_a_client_conf_and_tls_trust_gets_url_token_and_trust_from_them(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path conf = dir.resolve("client.conf");
        java.nio.file.Files.writeString(conf, "webServiceUrl=https://pulsar-aws-useast2.api.streaming.datastax.com\n"
                + "brokerServiceUrl=pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651\n"
                + "authPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken\n"
                + "authParams=token:eyJ+conf/token=\n"
                + "tlsEnableHostnameVerification=true\n");
        Properties properties = new Properties();
        properties.setProperty("camel.kamelet.astra-audit-source.topic", "persistent://t/ns/audit-a");
        properties.setProperty("camel.kamelet.astra-audit-source.clientConf", conf.toString());
        properties.setProperty("camel.kamelet.astra-audit-source.tlsTrustStore", "/etc/relay/trust+1.p12");
        properties.setProperty("camel.kamelet.astra-audit-source.tlsTrustStorePassword", "pa+ss/w=rd");
        try (CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(properties);
            context.setAutoStartup(false);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:astra-audit-source").to("mock:out");
                }
            });
            context.start();
            AstraEndpoint endpoint = context.getEndpoints().stream().filter(AstraEndpoint.class::isInstance)
                    .map(AstraEndpoint.class::cast).findFirst().orElseThrow();
            AstraPulsarSettings settings = endpoint.settings();
            assertThat(settings.serviceUrl()).isEqualTo("pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651");
            assertThat(settings.auth()).isEqualTo("token");
            assertThat(settings.token()).isEqualTo("eyJ+conf/token=");
            assertThat(settings.tls().trustStorePath()).isEqualTo("/etc/relay/trust+1.p12");
            assertThat(settings.tls().trustStorePassword()).isEqualTo("pa+ss/w=rd");
            assertThat(settings.tls().hostnameVerification()).isTrue();
            assertThat(settings.toString()).doesNotContain("eyJ+conf/token=").doesNotContain("pa+ss/w=rd");
        }
    }
}

package io.auditrelay.source.astra;

import org.apache.pulsar.client.api.Authentication;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.client.impl.auth.oauth2.AuthenticationFactoryOAuth2;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The {@code relay.source.astra.*} settings, read once, shared by the Pulsar source and the astra-setup command.
 *
 * @param serviceUrl       broker service URL ({@code pulsar+ssl://...} or {@code pulsar://...})
 * @param topics           full topic names
 * @param subscription     subscription name
 * @param subscriptionType Exclusive, Shared, Failover or Key_Shared
 * @param auth             token, oauth2 or none
 * @param token            the Pulsar token (auth=token)
 * @param authName         the auth_name sent to Astra for token auth
 * @param issuerUrl        oauth2 issuer url
 * @param credentialsUrl   oauth2 credentials url
 * @param audience         oauth2 audience (optional)
 * @param scope            oauth2 scope (optional)
 * @param tls              how a pulsar+ssl:// broker is trusted
 */
public record AstraPulsarSettings(String serviceUrl, List<String> topics, String subscription, String subscriptionType,
                                  String auth, String token, String authName, String issuerUrl, String credentialsUrl,
                                  String audience, String scope, PulsarTls tls) {

    public static final String PREFIX = "relay.source.astra.";

    /**
     * Reads the settings through {@code property} (key to value, null or blank when unset). With
     * {@code relay.source.astra.client-conf} the Pulsar client.conf fills the service URL, the authentication and the
     * TLS trust that are not set as properties.
     */
    public static AstraPulsarSettings read(Function<String, String> property) {
        Function<String, String> get = key -> {
            String v = property.apply(PREFIX + key);
            return v == null || v.isBlank() ? null : v.trim();
        };
        String confPath = get.apply("client-conf");
        ClientConf conf = confPath == null ? null : ClientConf.read(Path.of(confPath));
        String topics = get.apply("topic");
        return new AstraPulsarSettings(pick(get.apply("service-url"), conf == null ? null : conf.brokerServiceUrl(), null),
                topics == null ? List.of() : Arrays.stream(topics.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                orElse(get.apply("subscription"), "audit-relay"),
                orElse(get.apply("subscription-type"), "Failover"),
                pick(get.apply("auth"), conf == null ? null : conf.auth(), "token").toLowerCase(Locale.ROOT),
                pick(get.apply("token"), conf == null ? null : conf.token(), null), orElse(get.apply("auth-name"), "token"),
                pick(get.apply("oauth2.issuer-url"), conf == null ? null : conf.issuerUrl(), null),
                pick(get.apply("oauth2.credentials-url"), conf == null ? null : conf.credentialsUrl(), null),
                pick(get.apply("oauth2.audience"), conf == null ? null : conf.audience(), null),
                pick(get.apply("oauth2.scope"), conf == null ? null : conf.scope(), null),
                tls(conf, get.apply("tls-trust-certs-file"), get.apply("tls-trust-store"), get.apply("tls-trust-store-type"),
                        get.apply("tls-trust-store-password"), get.apply("tls-hostname-verification"),
                        get.apply("tls-allow-insecure-connection")));
    }

    /** The TLS trust: each explicit setting, else the client.conf's (null: none), else the default. */
    static PulsarTls tls(ClientConf conf, String trustCertsFile, String trustStore, String trustStoreType, String trustStorePassword,
                         String hostnameVerification, String allowInsecure) {
        boolean explicitTrust = trustCertsFile != null || trustStore != null;
        return new PulsarTls(
                explicitTrust ? trustCertsFile : conf == null ? null : conf.trustCertsFile(),
                explicitTrust ? trustStore : conf == null ? null : conf.trustStorePath(),
                pick(trustStoreType, conf == null || explicitTrust ? null : conf.trustStoreType(), null),
                pick(trustStorePassword, conf == null || explicitTrust ? null : conf.trustStorePassword(), null),
                hostnameVerification != null ? Boolean.parseBoolean(hostnameVerification)
                        : conf != null && conf.hostnameVerification() != null ? conf.hostnameVerification() : true,
                allowInsecure != null ? Boolean.parseBoolean(allowInsecure)
                        : conf != null && conf.allowInsecureConnection() != null && conf.allowInsecureConnection());
    }

    /** The explicit value, else the client.conf's, else the fallback. */
    static String pick(String explicit, String fromConf, String fallback) {
        return explicit != null && !explicit.isBlank() ? explicit.trim() : fromConf != null ? fromConf : fallback;
    }

    private static String orElse(String v, String d) {
        return v == null ? d : v;
    }

    /** Fails with one sentence naming the missing property. */
    public AstraPulsarSettings validate() {
        require(serviceUrl, "service-url (or client-conf, the client.conf of the Astra Portal's Connect tab)");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("Set " + PREFIX + "topic to the full topic name, e.g. persistent://TENANT/NAMESPACE/audit-log");
        }
        switch (auth) {
            case "token" -> require(token, "token (environment variable RELAY_SOURCE_ASTRA_TOKEN)");
            case "oauth2" -> {
                require(issuerUrl, "oauth2.issuer-url");
                require(credentialsUrl, "oauth2.credentials-url");
            }
            case "none" -> { }
            default -> throw new IllegalArgumentException(PREFIX + "auth must be token, oauth2 or none, not '" + auth + "'");
        }
        return this;
    }

    private static void require(String value, String key) {
        if (value == null) {
            throw new IllegalArgumentException("Set " + PREFIX + key);
        }
    }

    /** The camel-pulsar / Pulsar enum name of the subscription type (FAILOVER, KEY_SHARED, ...). */
    public String subscriptionTypeEnum() {
        return subscriptionType.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The Pulsar subscription type named by {@link #subscriptionType()} (any case, {@code -} or {@code _}), or null. */
    public SubscriptionType subscriptionTypeValue() {
        for (SubscriptionType type : SubscriptionType.values()) {
            if (type.name().equalsIgnoreCase(subscriptionType.replace('-', '_'))) {
                return type;
            }
        }
        return null;
    }

    /** The service URL for the Pulsar client: Astra's {@code pulsar+ssl://} spelling is the client's {@code pulsar+ssl://}. */
    public String clientServiceUrl() {
        return serviceUrl;
    }

    /** The endpoint to register with Astra: always {@code pulsar+} prefixed, as the Astra doc requires. */
    public String astraEndpoint() {
        return serviceUrl.startsWith("pulsar") ? serviceUrl : "pulsar+" + serviceUrl;
    }

    /** The Pulsar client authentication for these settings, or null for none. */
    public Authentication authentication() {
        return switch (auth) {
            case "token" -> AuthenticationFactory.token(token);
            case "oauth2" -> AuthenticationFactoryOAuth2.clientCredentials(url(issuerUrl), url(credentialsUrl), audience, scope);
            default -> null;
        };
    }

    /** A Pulsar client for these settings (not connected until used). */
    public PulsarClient client() throws PulsarClientException {
        ClientBuilder builder = PulsarClient.builder().serviceUrl(clientServiceUrl());
        (tls == null ? PulsarTls.DEFAULT : tls).apply(builder);
        Authentication authentication = authentication();
        if (authentication != null) {
            builder.authentication(authentication);
        }
        return builder.build();
    }

    private static URL url(String value) {
        try {
            return URI.create(value).toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + value, e);
        }
    }

    /** Never shows the token or the OAuth2 credentials URL (a data: URL holds the client secret). */
    @Override
    public String toString() {
        return "AstraPulsarSettings[" + describe() + ", authName=" + authName + ", issuerUrl=" + issuerUrl
                + (credentialsUrl != null ? ", credentialsUrl=********" : "") + ", audience=" + audience + ", scope=" + scope + "]";
    }

    /** A one-line description with the secrets masked, for logs. */
    public String describe() {
        return "service " + serviceUrl + ", topics " + topics + ", subscription " + subscription + " (" + subscriptionType
                + "), auth " + auth + (token != null ? " token ********" : "")
                + (serviceUrl != null && serviceUrl.startsWith("pulsar+ssl") ? ", TLS " + (tls == null ? PulsarTls.DEFAULT : tls) : "");
    }
}

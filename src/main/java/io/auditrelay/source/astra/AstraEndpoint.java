package io.auditrelay.source.astra;

import io.auditrelay.source.InputLimitOptions;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Astra DB audit events from an Astra Streaming (Pulsar) subscription. Each Pulsar message is one unit: one exchange
 * whose body is a one-element {@code List<SourceRecord>} (vendor {@code astra}, location {@code TOPIC/MESSAGE_ID}),
 * acknowledged when the exchange completes and negatively acknowledged when it fails, so Pulsar redelivers it after
 * {@code nackRedeliveryDelay}. The endpoint builds its own Pulsar client from its options (service URL, token, OAuth2
 * or no authentication, TLS trust), or from the Pulsar client.conf the Astra Portal downloads; nothing secret is logged.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "audit-astra", title = "Audit Astra DB (Astra Streaming)",
        syntax = "audit-astra:topics", consumerOnly = true, remote = true, category = {Category.MESSAGING})
public class AstraEndpoint extends DefaultEndpoint {

    @UriPath(description = "Full name(s) of the audit log topic(s), comma separated, e.g. persistent://TENANT/NAMESPACE/audit-log")
    @Metadata(required = true)
    private String topics;
    @UriParam(label = "common", description = "The Pulsar broker service URL (brokerServiceUrl of the tenant's client.conf),"
            + " e.g. pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651; required unless clientConf gives it")
    private String serviceUrl;
    @UriParam(label = "common", description = "Path of a Pulsar client.conf (Astra Portal: Streaming, the tenant, Connect tab,"
            + " Download client.conf): its brokerServiceUrl, authPlugin/authParams (token or OAuth2) and TLS settings fill the"
            + " options that are not set")
    private String clientConf;
    @UriParam(label = "security", description = "PEM file of the CA(s) that signed the broker's certificate (a self-hosted or"
            + " private-CA Pulsar); empty: the JVM's default trust")
    private String tlsTrustCertsFile;
    @UriParam(label = "security", description = "Trust store (PKCS12 or JKS) with the CA(s) that signed the broker's certificate,"
            + " instead of tlsTrustCertsFile")
    private String tlsTrustStore;
    @UriParam(label = "security", enums = "PKCS12,JKS", description = "Type of tlsTrustStore; empty: JKS for a .jks file, else PKCS12")
    private String tlsTrustStoreType;
    @UriParam(label = "security", secret = true, description = "Password of tlsTrustStore")
    private String tlsTrustStorePassword;
    @UriParam(label = "security", defaultValue = "true", description = "Check that the broker's certificate names the host of"
            + " serviceUrl (empty: the client.conf's tlsEnableHostnameVerification, else true)")
    private String tlsHostnameVerification;
    @UriParam(label = "security", defaultValue = "false", description = "Trust any broker certificate (tests only; empty: the"
            + " client.conf's tlsAllowInsecureConnection, else false)")
    private String tlsAllowInsecureConnection;
    @UriParam(label = "consumer", defaultValue = "audit-relay",
            description = "The subscription name; replicas sharing it share the stream")
    private String subscription = "audit-relay";
    @UriParam(label = "consumer", defaultValue = "Failover", enums = "Exclusive,Shared,Failover,Key_Shared",
            description = "Failover lets several replicas run with one active; also Exclusive, Shared, Key_Shared")
    private String subscriptionType = "Failover";
    @UriParam(label = "security", defaultValue = "token", enums = "token,oauth2,none",
            description = "How the client authenticates: token, oauth2 (client credentials) or none; empty: the client.conf's"
                    + " authPlugin, else token")
    private String auth;
    @UriParam(label = "security", secret = true, description = "The Astra Streaming (Pulsar) token, for auth=token")
    private String token;
    @UriParam(label = "security", description = "OAuth2 issuer URL, for auth=oauth2")
    private String issuerUrl;
    @UriParam(label = "security", secret = true,
            description = "OAuth2 credentials URL (file:// or data: key file), for auth=oauth2")
    private String credentialsUrl;
    @UriParam(label = "security", description = "OAuth2 audience (optional), for auth=oauth2")
    private String audience;
    @UriParam(label = "security", description = "OAuth2 scope (optional), for auth=oauth2")
    private String scope;
    @UriParam(label = "consumer", defaultValue = "1000", javaType = "long",
            description = "Milliseconds before Pulsar redelivers a message whose exchange failed (negative acknowledgement)")
    private long nackRedeliveryDelay = 1000;
    @UriParam(label = "consumer,advanced", defaultValue = "60000", javaType = "long",
            description = "Milliseconds after which Pulsar redelivers a message that was neither acknowledged nor"
                    + " negatively acknowledged (a unit stuck in the route)")
    private long ackTimeout = 60000;
    @UriParam(label = "consumer", defaultValue = "3000", javaType = "long",
            description = "With relay.once: the subscription counts as drained after this many milliseconds without"
                    + " a message (Pulsar has no cheap end-of-topic for a subscription)")
    private long idleTimeout = 3000;

    @UriParam
    private InputLimitOptions inputLimits = new InputLimitOptions();

    public AstraEndpoint(String uri, AstraComponent component) {
        super(uri, component);
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("audit-astra is a consumer: use it in from:");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        AstraConsumer consumer = new AstraConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        settings(); // bad configuration fails the start, in one sentence
        // Registered here as well as in the consumer: Camel starts a route's endpoint before its startup listeners
        // run (the relay's coordinator checks there whether any source is expected) and the consumer after them.
        OnceCoordinator coordinator = coordinator();
        if (coordinator != null) {
            coordinator.expect(AstraConsumer.SOURCE);
        }
    }

    /** The relay's {@code relay.once} coordinator, or null (a Kamelet Pipe has none). */
    OnceCoordinator coordinator() {
        return getCamelContext().getRegistry().findSingleByType(OnceCoordinator.class);
    }

    /** The settings these options make, validated: a missing or wrong option is named in one sentence. */
    public AstraPulsarSettings settings() {
        List<String> topicList = topics == null ? List.of()
                : Arrays.stream(topics.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (topicList.isEmpty()) {
            throw new IllegalArgumentException("audit-astra: name the topic(s) in the path, e.g."
                    + " audit-astra:persistent://TENANT/NAMESPACE/audit-log (relay.source.astra.topic)");
        }
        ClientConf conf = blankToNull(clientConf) == null ? null : ClientConf.read(java.nio.file.Path.of(clientConf.trim()));
        String url = AstraPulsarSettings.pick(serviceUrl, conf == null ? null : conf.brokerServiceUrl(), null);
        if (url == null) {
            throw new IllegalArgumentException("audit-astra: set the option serviceUrl or clientConf (in the relay:"
                    + " relay.source.astra.service-url or relay.source.astra.client-conf)");
        }
        String authMode = AstraPulsarSettings.pick(auth, conf == null ? null : conf.auth(), "token").toLowerCase(Locale.ROOT);
        String tokenValue = AstraPulsarSettings.pick(token, conf == null ? null : conf.token(), null);
        String issuer = AstraPulsarSettings.pick(issuerUrl, conf == null ? null : conf.issuerUrl(), null);
        String credentials = AstraPulsarSettings.pick(credentialsUrl, conf == null ? null : conf.credentialsUrl(), null);
        switch (authMode) {
            case "token" -> require(tokenValue, "token", "relay.source.astra.token, or the environment variable RELAY_SOURCE_ASTRA_TOKEN");
            case "oauth2" -> {
                require(issuer, "issuerUrl", "relay.source.astra.oauth2.issuer-url");
                require(credentials, "credentialsUrl", "relay.source.astra.oauth2.credentials-url");
            }
            case "none" -> { }
            default -> throw new IllegalArgumentException("audit-astra: auth must be token, oauth2 or none, not '" + auth + "'");
        }
        String type = blankToNull(subscriptionType) == null ? "Failover" : subscriptionType.trim();
        AstraPulsarSettings settings = new AstraPulsarSettings(url, topicList,
                blankToNull(subscription) == null ? "audit-relay" : subscription.trim(), type, authMode,
                tokenValue, "token", issuer, credentials,
                AstraPulsarSettings.pick(audience, conf == null ? null : conf.audience(), null),
                AstraPulsarSettings.pick(scope, conf == null ? null : conf.scope(), null),
                AstraPulsarSettings.tls(conf, blankToNull(tlsTrustCertsFile), blankToNull(tlsTrustStore), blankToNull(tlsTrustStoreType),
                        blankToNull(tlsTrustStorePassword), blankToNull(tlsHostnameVerification), blankToNull(tlsAllowInsecureConnection)));
        if (settings.subscriptionTypeValue() == null) {
            throw new IllegalArgumentException("audit-astra: subscriptionType must be Exclusive, Shared, Failover or"
                    + " Key_Shared, not '" + subscriptionType + "'");
        }
        return settings;
    }

    private static void require(String value, String option, String property) {
        if (blankToNull(value) == null) {
            throw new IllegalArgumentException("audit-astra: set the option " + option + " (in the relay: " + property + ")");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    public String getTopics() {
        return topics;
    }

    public void setTopics(String topics) {
        this.topics = topics;
    }

    public String getServiceUrl() {
        return serviceUrl;
    }

    public void setServiceUrl(String serviceUrl) {
        this.serviceUrl = serviceUrl;
    }

    public String getClientConf() {
        return clientConf;
    }

    public void setClientConf(String clientConf) {
        this.clientConf = clientConf;
    }

    public String getTlsTrustCertsFile() {
        return tlsTrustCertsFile;
    }

    public void setTlsTrustCertsFile(String tlsTrustCertsFile) {
        this.tlsTrustCertsFile = tlsTrustCertsFile;
    }

    public String getTlsTrustStore() {
        return tlsTrustStore;
    }

    public void setTlsTrustStore(String tlsTrustStore) {
        this.tlsTrustStore = tlsTrustStore;
    }

    public String getTlsTrustStoreType() {
        return tlsTrustStoreType;
    }

    public void setTlsTrustStoreType(String tlsTrustStoreType) {
        this.tlsTrustStoreType = tlsTrustStoreType;
    }

    public String getTlsTrustStorePassword() {
        return tlsTrustStorePassword;
    }

    public void setTlsTrustStorePassword(String tlsTrustStorePassword) {
        this.tlsTrustStorePassword = tlsTrustStorePassword;
    }

    public String getTlsHostnameVerification() {
        return tlsHostnameVerification;
    }

    public void setTlsHostnameVerification(String tlsHostnameVerification) {
        this.tlsHostnameVerification = tlsHostnameVerification;
    }

    public String getTlsAllowInsecureConnection() {
        return tlsAllowInsecureConnection;
    }

    public void setTlsAllowInsecureConnection(String tlsAllowInsecureConnection) {
        this.tlsAllowInsecureConnection = tlsAllowInsecureConnection;
    }

    public String getSubscription() {
        return subscription;
    }

    public void setSubscription(String subscription) {
        this.subscription = subscription;
    }

    public String getSubscriptionType() {
        return subscriptionType;
    }

    public void setSubscriptionType(String subscriptionType) {
        this.subscriptionType = subscriptionType;
    }

    public String getAuth() {
        return auth;
    }

    public void setAuth(String auth) {
        this.auth = auth;
    }

    public String getToken() {
        return token;
    }

    public void setToken(String token) {
        this.token = token;
    }

    public String getIssuerUrl() {
        return issuerUrl;
    }

    public void setIssuerUrl(String issuerUrl) {
        this.issuerUrl = issuerUrl;
    }

    public String getCredentialsUrl() {
        return credentialsUrl;
    }

    public void setCredentialsUrl(String credentialsUrl) {
        this.credentialsUrl = credentialsUrl;
    }

    public String getAudience() {
        return audience;
    }

    public void setAudience(String audience) {
        this.audience = audience;
    }

    public String getScope() {
        return scope;
    }

    public void setScope(String scope) {
        this.scope = scope;
    }

    public long getNackRedeliveryDelay() {
        return nackRedeliveryDelay;
    }

    public void setNackRedeliveryDelay(long nackRedeliveryDelay) {
        this.nackRedeliveryDelay = nackRedeliveryDelay;
    }

    public long getAckTimeout() {
        return ackTimeout;
    }

    public void setAckTimeout(long ackTimeout) {
        this.ackTimeout = ackTimeout;
    }

    public long getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(long idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public InputLimitOptions getInputLimits() {
        return inputLimits;
    }

    public void setInputLimits(InputLimitOptions inputLimits) {
        this.inputLimits = inputLimits;
    }
}

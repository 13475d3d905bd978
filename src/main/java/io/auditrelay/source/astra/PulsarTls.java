package io.auditrelay.source.astra;

import org.apache.pulsar.client.api.ClientBuilder;

/**
 * How the Pulsar client trusts a {@code pulsar+ssl://} broker: a PEM CA file ({@code tlsTrustCertsFilePath}) or a trust
 * store (JKS / PKCS12), hostname verification (on unless turned off) and, for tests only, trusting any certificate.
 * Without a CA file or trust store the JVM's default trust (public CAs, enough for Astra Streaming) applies.
 * {@link #toString()} never shows the trust store password.
 */
public record PulsarTls(String trustCertsFile, String trustStorePath, String trustStoreType, String trustStorePassword,
                        boolean hostnameVerification, boolean allowInsecureConnection) {

    /** The JVM's default trust, hostnames verified. */
    public static final PulsarTls DEFAULT = new PulsarTls(null, null, null, null, true, false);

    public PulsarTls {
        trustCertsFile = blankToNull(trustCertsFile);
        trustStorePath = blankToNull(trustStorePath);
        trustStoreType = blankToNull(trustStoreType);
        trustStorePassword = blankToNull(trustStorePassword);
        if (trustCertsFile != null && trustStorePath != null) {
            throw new IllegalArgumentException("Give either a PEM CA file (tls-trust-certs-file) or a trust store (tls-trust-store),"
                    + " not both");
        }
    }

    /** Sets these on a client builder. */
    public void apply(ClientBuilder builder) {
        builder.enableTlsHostnameVerification(hostnameVerification);
        builder.allowTlsInsecureConnection(allowInsecureConnection);
        if (trustCertsFile != null) {
            builder.tlsTrustCertsFilePath(trustCertsFile);
        }
        if (trustStorePath != null) {
            builder.useKeyStoreTls(true);
            builder.tlsTrustStorePath(trustStorePath);
            builder.tlsTrustStoreType(trustStoreType == null ? (trustStorePath.endsWith(".jks") ? "JKS" : "PKCS12") : trustStoreType);
            if (trustStorePassword != null) {
                builder.tlsTrustStorePassword(trustStorePassword);
            }
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    @Override
    public String toString() {
        return "trust " + (trustCertsFile != null ? "CA file " + trustCertsFile
                : trustStorePath != null ? "store " + trustStorePath + (trustStorePassword != null ? " (password ********)" : "")
                : "JVM default") + ", hostname verification " + (hostnameVerification ? "on" : "off")
                + (allowInsecureConnection ? ", ANY CERTIFICATE TRUSTED" : "");
    }
}

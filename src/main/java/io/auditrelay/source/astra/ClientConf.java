package io.auditrelay.source.astra;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * A Pulsar {@code client.conf} as the Astra Portal's Connect tab downloads it (Astra Streaming tenant → Connect →
 * Download client.conf): {@code webServiceUrl}, {@code brokerServiceUrl}, {@code authPlugin} + {@code authParams}
 * (token: {@code token:<jwt>} or {@code file:<path>}; OAuth2: the JSON of {@code AuthenticationOAuth2}) and the TLS
 * settings ({@code tlsTrustCertsFilePath}, {@code useKeyStoreTls} + {@code tlsTrustStore*},
 * {@code tlsEnableHostnameVerification}, {@code tlsAllowInsecureConnection}). Values the file does not set are null.
 * {@link #toString()} never shows the token or the trust store password.
 */
public record ClientConf(String webServiceUrl, String brokerServiceUrl, String auth, String token, String issuerUrl,
                         String credentialsUrl, String audience, String scope, String trustCertsFile, String trustStorePath,
                         String trustStoreType, String trustStorePassword, Boolean hostnameVerification,
                         Boolean allowInsecureConnection) {

    /** Reads the file; a missing file, an unknown auth plugin or unreadable authParams is one sentence naming it. */
    public static ClientConf read(Path file) {
        Properties conf = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            conf.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Pulsar client.conf " + file + " (relay.source.astra.client-conf): " + e, e);
        }
        String plugin = get(conf, "authPlugin");
        String params = get(conf, "authParams");
        String auth = null;
        String token = null;
        String issuer = null;
        String credentials = null;
        String audience = null;
        String scope = null;
        if (plugin != null) {
            String lower = plugin.toLowerCase(Locale.ROOT);
            if (lower.endsWith("authenticationtoken") || lower.equals("token")) {
                auth = "token";
                token = token(params, file);
            } else if (lower.contains("oauth2")) {
                auth = "oauth2";
                JsonNode json = oauth2(params, file);
                issuer = text(json, "issuerUrl");
                credentials = text(json, "privateKey");
                audience = text(json, "audience");
                scope = text(json, "scope");
            } else if (!lower.endsWith("authenticationdisabled")) {
                throw new IllegalArgumentException("The Pulsar client.conf " + file + " uses authPlugin " + plugin
                        + "; the relay supports AuthenticationToken and AuthenticationOAuth2");
            }
        }
        boolean keyStore = "true".equalsIgnoreCase(get(conf, "useKeyStoreTls"));
        return new ClientConf(get(conf, "webServiceUrl"), get(conf, "brokerServiceUrl"), auth, token, issuer, credentials, audience,
                scope, get(conf, "tlsTrustCertsFilePath"), keyStore ? get(conf, "tlsTrustStorePath") : null,
                keyStore ? get(conf, "tlsTrustStoreType") : null, keyStore ? get(conf, "tlsTrustStorePassword") : null,
                bool(get(conf, "tlsEnableHostnameVerification")), bool(get(conf, "tlsAllowInsecureConnection")));
    }

    private static String token(String params, Path file) {
        if (params == null) {
            throw new IllegalArgumentException("The Pulsar client.conf " + file + " uses token authentication but has no authParams");
        }
        if (params.startsWith("token:")) {
            return params.substring("token:".length()).trim();
        }
        if (params.startsWith("file:")) {
            Path tokenFile = Path.of(params.startsWith("file://") ? params.substring("file://".length()) : params.substring("file:".length()));
            try {
                return Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the token file named by authParams in " + file + ": " + tokenFile, e);
            }
        }
        if (params.startsWith("{")) {
            String value = text(oauth2(params, file), "token");
            if (value != null) {
                return value;
            }
        }
        return params.trim(); // the token itself, as AuthenticationToken also accepts
    }

    private static JsonNode oauth2(String params, Path file) {
        try {
            JsonNode json = params == null ? null : Json.MAPPER.readTree(params);
            if (json == null || !json.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return json;
        } catch (Exception e) {
            throw new IllegalArgumentException("The authParams of the Pulsar client.conf " + file
                    + " are not the JSON object AuthenticationOAuth2 takes (issuerUrl, privateKey, audience, scope)");
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText().trim();
    }

    private static String get(Properties conf, String key) {
        String value = conf.getProperty(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Boolean bool(String value) {
        return value == null ? null : Boolean.valueOf(value.trim());
    }

    @Override
    public String toString() {
        return "ClientConf[brokerServiceUrl=" + brokerServiceUrl + ", webServiceUrl=" + webServiceUrl + ", auth=" + auth
                + (token != null ? ", token=********" : "") + (issuerUrl != null ? ", issuerUrl=" + issuerUrl : "")
                + ", trustCertsFile=" + trustCertsFile + ", trustStore=" + trustStorePath + "]";
    }
}

package io.auditrelay.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.source.astra.AstraPulsarSettings;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code java -jar target/audit-relay.jar astra-setup --org ORG_ID --publisher-token TOKEN [--show|--delete]}: registers
 * the relay's Pulsar topic(s) ({@code relay.source.astra.topic}, each one, with the broker of
 * {@code relay.source.astra.service-url} or {@code client-conf}) as the audit log stream of an Astra organization with
 * the DevOps API ({@code POST {relay.astra.api-url}/v2/organizations/{org}/telemetry/auditLogs}), shows it
 * ({@code GET}) or deletes it ({@code DELETE}). The credentials sent for Astra to publish with are the publisher's
 * ({@code --publisher-token} / {@code ASTRA_PUBLISHER_TOKEN}, or {@code --publisher-oauth2-*}, or
 * {@code relay.astra.publisher.*}), never the relay's own consumer token or key file. The application token comes from {@code ASTRA_APPLICATION_TOKEN} or
 * {@code relay.astra.application-token}. Prints the resulting configuration with secrets masked; errors in one line.
 */
public final class AstraSetupCommand {

    public static final String NAME = "astra-setup";
    private static final String MASK = "********";
    private static final String USAGE = "usage: astra-setup --org ORG_ID [--publisher-token TOKEN [--publisher-auth-name NAME] |"
            + " --publisher-oauth2-issuer-url URL --publisher-oauth2-credentials-url URL [--publisher-oauth2-audience A]"
            + " [--publisher-oauth2-scope S]] [--show|--delete]";

    private final Function<String, String> property;
    private final PrintStream out;
    private final PrintStream err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** @param property relay property or environment variable by name (null when unset) */
    public AstraSetupCommand(Function<String, String> property, PrintStream out, PrintStream err) {
        this.property = property;
        this.out = out;
        this.err = err;
    }

    /** The command as run from {@code main}: properties from -D, the environment and application.properties. */
    public static AstraSetupCommand fromEnvironment() {
        return new AstraSetupCommand(CommandProperties.fromEnvironment(), System.out, System.err);
    }

    /** Runs the command; returns the process exit code. */
    public int run(String... args) {
        String org = null;
        String method = "POST";
        Map<String, String> publisher = new java.util.LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--org" -> org = i + 1 < args.length ? args[++i] : null;
                case "--show" -> method = "GET";
                case "--delete" -> method = "DELETE";
                case "--publisher-token", "--publisher-auth-name", "--publisher-oauth2-issuer-url",
                        "--publisher-oauth2-credentials-url", "--publisher-oauth2-audience", "--publisher-oauth2-scope" -> {
                    if (i + 1 >= args.length) {
                        err.println("astra-setup: " + arg + " needs a value");
                        return 2;
                    }
                    publisher.put(arg.substring("--publisher-".length()).replace("oauth2-", "oauth2."), args[++i]);
                }
                default -> {
                    err.println("astra-setup: unknown argument " + arg + "; " + USAGE);
                    return 2;
                }
            }
        }
        if (org == null || org.isBlank()) {
            err.println("astra-setup: --org ORG_ID is required (the id in any Astra Portal URL, astra.datastax.com/org/ORG_ID/)");
            return 2;
        }
        String token = property.apply("ASTRA_APPLICATION_TOKEN");
        if (token == null) {
            token = property.apply("relay.astra.application-token");
        }
        if (token == null) {
            err.println("astra-setup: set ASTRA_APPLICATION_TOKEN to an Astra application token with the Organization Administrator role");
            return 2;
        }
        String api = property.apply("relay.astra.api-url");
        URI uri = URI.create((api == null ? "https://api.astra.datastax.com" : api.replaceAll("/+$", ""))
                + "/v2/organizations/" + org + "/telemetry/auditLogs");
        try {
            if (method.equals("POST")) {
                AstraPulsarSettings relay = AstraPulsarSettings.read(property);
                Publisher credentials = Publisher.of(key -> publisher.containsKey(key) ? publisher.get(key)
                        : property.apply("relay.astra.publisher." + key), property.apply("ASTRA_PUBLISHER_TOKEN"));
                if (credentials.token() != null && credentials.token().equals(relay.token())) {
                    err.println("astra-setup: note: the publisher token is the relay's own consumer token; Astra needs only"
                            + " permission to produce to the topic(s), the relay only to consume: give each a token of its own");
                }
                return register(uri, token, relay, credentials);
            }
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri), token, method, null);
            int status = response.statusCode();
            if (status >= 300) {
                err.println("astra-setup: " + explain(status, org, response.body()));
                return 1;
            }
            if (method.equals("GET")) {
                out.println(response.body().isBlank() ? "No audit log stream configured."
                        : masked(Json.MAPPER.readTree(response.body())).toPrettyString());
            } else {
                out.println("Deleted the audit log stream configuration of organization " + org + " (HTTP " + status + ").");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("astra-setup: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("astra-setup: cannot reach " + uri + ": " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * One POST per configured topic (the DevOps API's body names one topic), then a GET to show what Astra holds and
     * whether every topic is in it.
     */
    private int register(URI uri, String token, AstraPulsarSettings relay, Publisher credentials)
            throws IOException, InterruptedException {
        if (relay.serviceUrl() == null) {
            throw new IllegalArgumentException("set relay.source.astra.service-url or relay.source.astra.client-conf (the"
                    + " broker Astra publishes to)");
        }
        if (relay.topics().isEmpty()) {
            throw new IllegalArgumentException("set relay.source.astra.topic to the full topic name(s), e.g."
                    + " persistent://TENANT/NAMESPACE/audit-log");
        }
        for (String topic : relay.topics()) {
            ObjectNode body = body(relay.astraEndpoint(), topic, credentials);
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri), token, "POST", Json.MAPPER.writeValueAsString(body));
            if (response.statusCode() >= 300) {
                err.println("astra-setup: topic " + topic + ": " + explain(response.statusCode(), org(uri), response.body()));
                return 1;
            }
            out.println("Astra accepted the audit log stream configuration for " + topic + " (HTTP " + response.statusCode() + "):");
            out.println(masked(body).toPrettyString());
        }
        HttpResponse<String> held = send(HttpRequest.newBuilder(uri), token, "GET", null);
        if (held.statusCode() < 300 && !held.body().isBlank()) {
            JsonNode now = Json.MAPPER.readTree(held.body());
            out.println("Astra now holds:");
            out.println(masked(now).toPrettyString());
            List<String> missing = new ArrayList<>();
            for (String topic : relay.topics()) {
                if (!held.body().contains("\"" + topic + "\"")) {
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty()) {
                err.println("astra-setup: Astra's configuration does not name " + missing + ": the organization keeps one audit log"
                        + " stream configuration, so each POST replaced the previous one; Astra streams to the topic above only"
                        + " (to stream to several topics, ask DataStax Support, or subscribe the relay to that one topic)");
                return 1;
            }
        }
        return 0;
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String token, String method, String body)
            throws IOException, InterruptedException {
        request.timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String org(URI uri) {
        String[] parts = uri.getPath().split("/");
        return parts.length > 3 ? parts[3] : "?";
    }

    /**
     * The credentials Astra publishes with: a Pulsar token (and its auth_name) or OAuth2 client settings. Taken from the
     * command line, {@code ASTRA_PUBLISHER_TOKEN} or {@code relay.astra.publisher.*}; never the relay's consumer ones.
     */
    record Publisher(String token, String authName, String issuerUrl, String credentialsUrl, String audience, String scope) {

        static Publisher of(java.util.function.Function<String, String> get, String envToken) {
            String token = blank(get.apply("token")) ? envToken : get.apply("token");
            Publisher p = new Publisher(blank(token) ? null : token.trim(), blank(get.apply("auth-name")) ? "token" : get.apply("auth-name"),
                    trim(get.apply("oauth2.issuer-url")), trim(get.apply("oauth2.credentials-url")),
                    trim(get.apply("oauth2.audience")), trim(get.apply("oauth2.scope")));
            boolean oauth2 = p.issuerUrl != null || p.credentialsUrl != null;
            if (p.token == null && !oauth2) {
                throw new IllegalArgumentException("give the credentials Astra publishes to the topic with: --publisher-token TOKEN"
                        + " (or ASTRA_PUBLISHER_TOKEN), or --publisher-oauth2-issuer-url and --publisher-oauth2-credentials-url;"
                        + " the relay's own consumer credentials are never sent to Astra");
            }
            if (p.token != null && oauth2) {
                throw new IllegalArgumentException("give either a publisher token or publisher OAuth2 settings, not both");
            }
            if (oauth2 && (p.issuerUrl == null || p.credentialsUrl == null)) {
                throw new IllegalArgumentException("publisher OAuth2 needs both --publisher-oauth2-issuer-url and"
                        + " --publisher-oauth2-credentials-url");
            }
            if (p.credentialsUrl != null && p.credentialsUrl.regionMatches(true, 0, "file:", 0, 5)) {
                throw new IllegalArgumentException("the publisher OAuth2 credentials URL " + p.credentialsUrl + " is a file on this"
                        + " machine, which Astra cannot read: give a URL Astra can fetch (https://...)");
            }
            return p;
        }

        private static boolean blank(String value) {
            return value == null || value.isBlank();
        }

        private static String trim(String value) {
            return blank(value) ? null : value.trim();
        }

        @Override
        public String toString() {
            return "Publisher[" + (token != null ? "token ********" : "oauth2 " + issuerUrl) + "]";
        }
    }

    /** The request body exactly as the Astra doc shows it, for one topic. */
    static ObjectNode body(String endpoint, String topic, Publisher p) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode pulsar = root.putObject("pulsar");
        pulsar.put("endpoint", endpoint);
        pulsar.put("auth_strategy", p.token() != null ? "token" : "oauth2");
        pulsar.put("topic", topic);
        if (p.token() != null) {
            pulsar.put("auth_name", p.authName());
            pulsar.put("token", p.token());
        } else {
            pulsar.put("oauth2_credentials_url", p.credentialsUrl());
            pulsar.put("oauth2_issuer_url", p.issuerUrl());
            if (p.audience() != null) {
                pulsar.put("oauth_audience", p.audience());
            }
            if (p.scope() != null) {
                pulsar.put("oauth2_scope", p.scope());
            }
        }
        return root;
    }

    /** A copy with token and credentials replaced by ********. */
    static JsonNode masked(JsonNode node) {
        JsonNode copy = node.deepCopy();
        mask(copy);
        return copy;
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey().toLowerCase(Locale.ROOT);
                if (field.getValue().isTextual() && (name.equals("token") || name.contains("credentials") || name.contains("secret"))) {
                    field.setValue(Json.MAPPER.getNodeFactory().textNode(MASK));
                } else {
                    mask(field.getValue());
                }
            }
        }
    }

    static String explain(int status, String org, String body) {
        String detail = body == null ? "" : body.replaceAll("\\s+", " ").trim();
        if (detail.length() > 200) {
            detail = detail.substring(0, 200) + "...";
        }
        return switch (status) {
            case 401, 403 -> "HTTP " + status + ": the application token was refused; use a token with the Organization Administrator role";
            case 404 -> "HTTP 404: organization " + org + " not found (or no audit log stream configured); check --org";
            case 400 -> "HTTP 400: Astra rejected the configuration" + (detail.isEmpty() ? "" : ": " + detail)
                    + " (check relay.source.astra.service-url, topic and credentials)";
            default -> "HTTP " + status + " from the Astra DevOps API" + (detail.isEmpty() ? "" : ": " + detail);
        };
    }
}

package io.auditrelay.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.source.astra.AstraPulsarSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * {@code java -jar target/audit-relay.jar astra-setup --org ORG_ID [--show|--delete]}: registers the relay's own
 * Pulsar topic ({@code relay.source.astra.*}) as the audit log stream of an Astra organization with the DevOps API
 * ({@code POST {relay.astra.api-url}/v2/organizations/{org}/telemetry/auditLogs}), shows it ({@code GET}) or
 * deletes it ({@code DELETE}). The application token comes from {@code ASTRA_APPLICATION_TOKEN} or
 * {@code relay.astra.application-token}. Prints the resulting configuration with secrets masked; errors in one line.
 */
public final class AstraSetupCommand {

    public static final String NAME = "astra-setup";
    private static final String MASK = "********";

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
        Properties defaults = new Properties();
        try (InputStream in = AstraSetupCommand.class.getClassLoader().getResourceAsStream("application.properties")) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            // no defaults
        }
        Map<String, String> env = System.getenv();
        Function<String, String> property = key -> {
            String v = System.getProperty(key);
            if (v == null) {
                v = env.get(key);
            }
            if (v == null) {
                v = env.get(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
            }
            if (v == null) {
                v = defaults.getProperty(key);
            }
            return v == null || v.isBlank() ? null : v.trim();
        };
        return new AstraSetupCommand(property, System.out, System.err);
    }

    /** Runs the command; returns the process exit code. */
    public int run(String... args) {
        String org = null;
        String method = "POST";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--org" -> org = i + 1 < args.length ? args[++i] : null;
                case "--show" -> method = "GET";
                case "--delete" -> method = "DELETE";
                default -> {
                    err.println("astra-setup: unknown argument " + args[i] + "; usage: astra-setup --org ORG_ID [--show|--delete]");
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
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        try {
            if (method.equals("POST")) {
                String body = Json.MAPPER.writeValueAsString(body(AstraPulsarSettings.read(property).validate()));
                request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status >= 300) {
                err.println("astra-setup: " + explain(status, org, response.body()));
                return 1;
            }
            switch (method) {
                case "POST" -> {
                    out.println("Astra accepted the audit log stream configuration (HTTP " + status + "):");
                    out.println(masked(body(AstraPulsarSettings.read(property))).toPrettyString());
                }
                case "GET" -> out.println(response.body().isBlank() ? "No audit log stream configured."
                        : masked(Json.MAPPER.readTree(response.body())).toPrettyString());
                default -> out.println("Deleted the audit log stream configuration of organization " + org + " (HTTP " + status + ").");
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

    /** The request body exactly as the Astra doc shows it. */
    public static ObjectNode body(AstraPulsarSettings s) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode pulsar = root.putObject("pulsar");
        pulsar.put("endpoint", s.astraEndpoint());
        pulsar.put("auth_strategy", s.auth());
        pulsar.put("topic", s.topics().isEmpty() ? null : s.topics().get(0));
        if (s.auth().equals("token")) {
            pulsar.put("auth_name", s.authName());
            pulsar.put("token", s.token());
        } else if (s.auth().equals("oauth2")) {
            pulsar.put("oauth2_credentials_url", s.credentialsUrl());
            pulsar.put("oauth2_issuer_url", s.issuerUrl());
            if (s.audience() != null) {
                pulsar.put("oauth_audience", s.audience());
            }
            if (s.scope() != null) {
                pulsar.put("oauth2_scope", s.scope());
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

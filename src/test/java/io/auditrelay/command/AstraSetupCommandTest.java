package io.auditrelay.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.auditrelay.mapper.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** astra-setup against a stand-in for the Astra DevOps API that checks method, path, headers and body. */
class AstraSetupCommandTest {

    private HttpServer server;
    private final List<String> seen = new ArrayList<>();
    private final Map<String, String> props = new HashMap<>();
    private int status = 202;
    private String responseBody = "";
    private String requestBody;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requestBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    + " auth=" + exchange.getRequestHeaders().getFirst("Authorization")
                    + " type=" + exchange.getRequestHeaders().getFirst("Content-Type"));
            byte[] body = responseBody.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        props.put("relay.astra.api-url", "http://127.0.0.1:" + server.getAddress().getPort());
        props.put("ASTRA_APPLICATION_TOKEN", "AstraCS:app-token");
        props.put("relay.source.astra.service-url", "pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651");
        props.put("relay.source.astra.topic", "persistent://tenant-1/default/audit-log");
        props.put("relay.source.astra.auth", "token");
        props.put("relay.source.astra.token", "pulsar-secret-token");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int run(String... args) {
        return new AstraSetupCommand(props::get, new PrintStream(out, true), new PrintStream(err, true)).run(args);
    }

    @Test
    void post_sends_the_relay_pulsar_configuration_exactly_as_documented_and_prints_it_masked() throws Exception {
        assertThat(run("--org", "org-123")).isZero();

        assertThat(seen).containsExactly("POST /v2/organizations/org-123/telemetry/auditLogs auth=Bearer AstraCS:app-token type=application/json");
        assertThat(Json.MAPPER.readTree(requestBody)).isEqualTo(Json.MAPPER.readTree("{\"pulsar\":{"
                + "\"endpoint\":\"pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651\",\"auth_strategy\":\"token\","
                + "\"topic\":\"persistent://tenant-1/default/audit-log\",\"auth_name\":\"token\",\"token\":\"pulsar-secret-token\"}}"));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("persistent://tenant-1/default/audit-log").contains("********")
                .doesNotContain("pulsar-secret-token").doesNotContain("AstraCS:app-token");
    }

    @Test
    void oauth2_sends_the_documented_oauth2_fields() throws Exception {
        props.put("relay.source.astra.auth", "oauth2");
        props.remove("relay.source.astra.token");
        props.put("relay.source.astra.oauth2.issuer-url", "https://auth.example.com/");
        props.put("relay.source.astra.oauth2.credentials-url", "file:///etc/relay/key.json");
        props.put("relay.source.astra.oauth2.audience", "urn:sn:pulsar:o:i");
        props.put("relay.source.astra.oauth2.scope", "audit");

        assertThat(run("--org", "org-123")).isZero();

        JsonNode pulsar = Json.MAPPER.readTree(requestBody).get("pulsar");
        assertThat(pulsar.get("auth_strategy").asText()).isEqualTo("oauth2");
        assertThat(pulsar.get("oauth2_issuer_url").asText()).isEqualTo("https://auth.example.com/");
        assertThat(pulsar.get("oauth2_credentials_url").asText()).isEqualTo("file:///etc/relay/key.json");
        assertThat(pulsar.get("oauth_audience").asText()).isEqualTo("urn:sn:pulsar:o:i");
        assertThat(pulsar.get("oauth2_scope").asText()).isEqualTo("audit");
        assertThat(pulsar.has("token")).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("file:///etc/relay/key.json");
    }

    @Test
    void show_gets_the_configuration_and_masks_the_token_and_delete_deletes_it() {
        status = 200;
        responseBody = "{\"pulsar\":{\"endpoint\":\"pulsar+ssl://pulsar.example.com\",\"topic\":\"persistent://test/default/audit-log\","
                + "\"auth_strategy\":\"token\",\"token\":\"leaked-if-printed\",\"auth_name\":\"token\"}}";
        assertThat(run("--org", "org-9", "--show")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("persistent://test/default/audit-log").doesNotContain("leaked-if-printed");

        status = 204;
        responseBody = "";
        assertThat(run("--org", "org-9", "--delete")).isZero();
        assertThat(seen).containsExactly(
                "GET /v2/organizations/org-9/telemetry/auditLogs auth=Bearer AstraCS:app-token type=null",
                "DELETE /v2/organizations/org-9/telemetry/auditLogs auth=Bearer AstraCS:app-token type=null");
    }

    @Test
    void errors_are_explained_in_one_line() {
        status = 401;
        assertThat(run("--org", "org-1")).isEqualTo(1);
        status = 404;
        assertThat(run("--org", "nope", "--show")).isEqualTo(1);
        status = 400;
        responseBody = "{\"errors\":[{\"message\":\"invalid topic\"}]}";
        assertThat(run("--org", "org-1")).isEqualTo(1);

        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("401").contains("Organization Administrator");
        assertThat(lines.get(1)).contains("404").contains("organization nope not found");
        assertThat(lines.get(2)).contains("400").contains("invalid topic");
    }

    @Test
    void a_missing_application_token_is_explained_without_calling_the_api() {
        props.remove("ASTRA_APPLICATION_TOKEN");
        assertThat(run("--org", "org-1")).isEqualTo(2);
        assertThat(seen).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ASTRA_APPLICATION_TOKEN");
    }
}

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
    private final List<String> postedBodies = new ArrayList<>();
    /** What GET answers after POSTs (null: the fixed responseBody): a stand-in that keeps every posted topic. */
    private boolean keepsEveryTopic;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requestBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (exchange.getRequestMethod().equals("POST")) {
                postedBodies.add(requestBody);
            }
            seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    + " auth=" + exchange.getRequestHeaders().getFirst("Authorization")
                    + " type=" + exchange.getRequestHeaders().getFirst("Content-Type"));
            String answer = responseBody;
            int code = status;
            if (keepsEveryTopic && exchange.getRequestMethod().equals("GET")) {
                answer = "[" + String.join(",", postedBodies) + "]";
                code = 200;
            }
            byte[] body = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
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
    void post_sends_the_publisher_token_exactly_as_documented_never_the_relay_token_and_prints_it_masked() throws Exception {
        assertThat(run("--org", "org-123", "--publisher-token", "publisher-token-1")).isZero();

        assertThat(seen).containsExactly("POST /v2/organizations/org-123/telemetry/auditLogs auth=Bearer AstraCS:app-token type=application/json",
                "GET /v2/organizations/org-123/telemetry/auditLogs auth=Bearer AstraCS:app-token type=null");
        assertThat(Json.MAPPER.readTree(postedBodies.get(0))).isEqualTo(Json.MAPPER.readTree("{\"pulsar\":{"
                + "\"endpoint\":\"pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651\",\"auth_strategy\":\"token\","
                + "\"topic\":\"persistent://tenant-1/default/audit-log\",\"auth_name\":\"token\",\"token\":\"publisher-token-1\"}}"));
        assertThat(String.join("", postedBodies)).doesNotContain("pulsar-secret-token");
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("persistent://tenant-1/default/audit-log").contains("********")
                .doesNotContain("publisher-token-1").doesNotContain("pulsar-secret-token").doesNotContain("AstraCS:app-token");
    }

    @Test
    void without_publisher_credentials_nothing_is_sent_and_the_relay_credentials_are_not_used() {
        assertThat(run("--org", "org-123")).isEqualTo(2);
        assertThat(seen).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--publisher-token").contains("never sent");
    }

    @Test
    void the_publisher_token_can_come_from_the_environment_and_a_relay_token_reused_as_publisher_token_is_pointed_out() throws Exception {
        props.put("ASTRA_PUBLISHER_TOKEN", "pulsar-secret-token");
        assertThat(run("--org", "org-123")).isZero();
        assertThat(Json.MAPPER.readTree(postedBodies.get(0)).at("/pulsar/token").asText()).isEqualTo("pulsar-secret-token");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("a token of its own");
    }

    @Test
    void every_configured_topic_is_registered_and_checked_against_what_astra_holds() throws Exception {
        props.put("relay.source.astra.topic", "persistent://tenant-1/default/audit-a, persistent://tenant-1/default/audit-b");
        keepsEveryTopic = true;

        assertThat(run("--org", "org-123", "--publisher-token", "publisher-token-1")).isZero();

        assertThat(postedBodies).hasSize(2);
        assertThat(Json.MAPPER.readTree(postedBodies.get(0)).at("/pulsar/topic").asText()).isEqualTo("persistent://tenant-1/default/audit-a");
        assertThat(Json.MAPPER.readTree(postedBodies.get(1)).at("/pulsar/topic").asText()).isEqualTo("persistent://tenant-1/default/audit-b");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Astra now holds");
    }

    @Test
    void when_astra_keeps_only_the_last_topic_the_command_says_so_and_fails() {
        props.put("relay.source.astra.topic", "persistent://tenant-1/default/audit-a,persistent://tenant-1/default/audit-b");
        status = 202;
        responseBody = "{\"pulsar\":{\"endpoint\":\"pulsar+ssl://x:6651\",\"topic\":\"persistent://tenant-1/default/audit-b\","
                + "\"auth_strategy\":\"token\",\"token\":\"********\",\"auth_name\":\"token\"}}";

        assertThat(run("--org", "org-123", "--publisher-token", "publisher-token-1")).isEqualTo(1);

        assertThat(postedBodies).hasSize(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[persistent://tenant-1/default/audit-a]").contains("one audit log");
    }

    @Test
    void the_broker_comes_from_the_client_conf_when_no_service_url_is_set() throws Exception {
        java.nio.file.Path conf = java.nio.file.Files.createTempFile("client", ".conf");
        try {
            java.nio.file.Files.writeString(conf, "webServiceUrl=https://pulsar-aws-useast2.api.streaming.datastax.com\n"
                    + "brokerServiceUrl=pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651\n"
                    + "authPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken\n"
                    + "authParams=token:consumer-token-from-conf\n");
            props.remove("relay.source.astra.service-url");
            props.remove("relay.source.astra.token");
            props.put("relay.source.astra.client-conf", conf.toString());

            assertThat(run("--org", "org-123", "--publisher-token", "publisher-token-1")).isZero();

            JsonNode pulsar = Json.MAPPER.readTree(postedBodies.get(0)).get("pulsar");
            assertThat(pulsar.get("endpoint").asText()).isEqualTo("pulsar+ssl://pulsar-aws-useast2.streaming.datastax.com:6651");
            assertThat(pulsar.get("token").asText()).isEqualTo("publisher-token-1");
        } finally {
            java.nio.file.Files.deleteIfExists(conf);
        }
    }

    @Test
    void oauth2_sends_the_documented_oauth2_fields_of_the_publisher() throws Exception {
        assertThat(run("--org", "org-123", "--publisher-oauth2-issuer-url", "https://auth.example.com/",
                "--publisher-oauth2-credentials-url", "https://keys.example.com/publisher.json",
                "--publisher-oauth2-audience", "urn:sn:pulsar:o:i", "--publisher-oauth2-scope", "audit")).isZero();

        JsonNode pulsar = Json.MAPPER.readTree(postedBodies.get(0)).get("pulsar");
        assertThat(pulsar.get("auth_strategy").asText()).isEqualTo("oauth2");
        assertThat(pulsar.get("oauth2_issuer_url").asText()).isEqualTo("https://auth.example.com/");
        assertThat(pulsar.get("oauth2_credentials_url").asText()).isEqualTo("https://keys.example.com/publisher.json");
        assertThat(pulsar.get("oauth_audience").asText()).isEqualTo("urn:sn:pulsar:o:i");
        assertThat(pulsar.get("oauth2_scope").asText()).isEqualTo("audit");
        assertThat(pulsar.has("token")).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("https://keys.example.com/publisher.json");
    }

    @Test
    void a_local_key_file_is_refused_as_publisher_credentials() {
        assertThat(run("--org", "org-123", "--publisher-oauth2-issuer-url", "https://auth.example.com/",
                "--publisher-oauth2-credentials-url", "file:///etc/relay/key.json")).isEqualTo(2);
        assertThat(seen).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Astra cannot read");
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
        assertThat(run("--org", "org-1", "--publisher-token", "p")).isEqualTo(1);
        status = 404;
        assertThat(run("--org", "nope", "--show")).isEqualTo(1);
        status = 400;
        responseBody = "{\"errors\":[{\"message\":\"invalid topic\"}]}";
        assertThat(run("--org", "org-1", "--publisher-token", "p")).isEqualTo(1);

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

package io.auditrelay.sink.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.auditrelay.mapper.Json;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real HTTP webhook receiver on loopback for the tests: verifies every request's Standard Webhooks signature
 * (401 if wrong) and answers as {@link #answer(Function)} says; records every request and every delivered event.
 */
final class WebhookReceiver implements AutoCloseable {

    record Request(long at, String id, String timestamp, String signature, Map<String, List<String>> headers, String body,
                   boolean signatureValid) {
        /** The event ids in the body: one object, or an array of them. */
        List<String> eventIds() {
            try {
                JsonNode node = Json.MAPPER.readTree(body);
                List<String> ids = new ArrayList<>();
                if (node.isArray()) {
                    node.forEach(n -> ids.add(n.get("id").asText()));
                } else {
                    ids.add(node.get("id").asText());
                }
                return ids;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    record Answer(int status, String body, Map<String, String> headers) {
        static Answer ok() {
            return new Answer(200, "", Map.of());
        }
    }

    private final HttpServer server;
    private final byte[] key;
    private volatile Function<Request, Answer> policy = r -> Answer.ok();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Integer> statuses = new CopyOnWriteArrayList<>();
    /** Event ids of the requests answered 2xx, in order. */
    final List<String> delivered = new CopyOnWriteArrayList<>();

    WebhookReceiver(String secret) throws IOException {
        key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    void answer(Function<Request, Answer> policy) {
        this.policy = policy;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String id = exchange.getRequestHeaders().getFirst("webhook-id");
        String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
        String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
        boolean valid = verify(id, timestamp, signature, body);
        Request request = new Request(System.nanoTime(), id, timestamp, signature, Map.copyOf(exchange.getRequestHeaders()), body, valid);
        requests.add(request);
        Answer answer = valid ? policy.apply(request) : new Answer(401, "bad signature", Map.of());
        statuses.add(answer.status());
        if (answer.status() / 100 == 2) {
            delivered.addAll(request.eventIds());
        }
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** As a Standard Webhooks library does: HMAC-SHA256 of "id.timestamp.body", compared in constant time. */
    private boolean verify(String id, String timestamp, String signature, String body) {
        if (id == null || timestamp == null || signature == null) {
            return false;
        }
        try {
            long ts = Long.parseLong(timestamp);
            if (Math.abs(System.currentTimeMillis() / 1000 - ts) > 300) {
                return false;
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String part : signature.split(" ")) {
                if (part.startsWith("v1,") && MessageDigest.isEqual(expected, Base64.getDecoder().decode(part.substring(3)))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

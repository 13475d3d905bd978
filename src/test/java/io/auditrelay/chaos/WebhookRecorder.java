package io.auditrelay.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook receiver on loopback (JDK HTTP server) that records the event ids of every request it answered 200, can
 * be stopped and started again on the same port (an outage), and can hold the next request unanswered so the relay
 * is killed in the middle of a POST; a held request is then answered 503 (not delivered).
 */
final class WebhookRecorder implements AutoCloseable {

    private final int port;
    private final List<String> delivered = new ArrayList<>();
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private HttpServer server;
    private volatile boolean holdNext;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private volatile CountDownLatch released = new CountDownLatch(0);

    WebhookRecorder() throws IOException {
        server = bind(0);
        port = server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    /** The ids of the events of every request answered 200, in order, duplicates included. */
    synchronized List<String> delivered() {
        return new ArrayList<>(delivered);
    }

    synchronized void stop() {
        server.stop(0);
    }

    synchronized void start() throws IOException {
        server = bind(port);
    }

    void holdNext() {
        held = new CountDownLatch(1);
        released = new CountDownLatch(1);
        holdNext = true;
    }

    boolean awaitHeld(long seconds) throws InterruptedException {
        return held.await(seconds, TimeUnit.SECONDS);
    }

    void release() {
        holdNext = false;
        released.countDown();
    }

    private HttpServer bind(int at) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), at), 50);
        http.createContext("/hook", this::handle);
        http.setExecutor(executor);
        http.start();
        return http;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (holdNext) {
                holdNext = false;
                held.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            JsonNode node = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
            List<String> ids = new ArrayList<>();
            if (node.isArray()) {
                node.forEach(n -> ids.add(n.get("id").asText()));
            } else {
                ids.add(node.get("id").asText());
            }
            exchange.sendResponseHeaders(200, -1);
            synchronized (this) {
                delivered.addAll(ids);
            }
        }
    }

    @Override
    public synchronized void close() {
        release();
        server.stop(0);
        executor.shutdownNow();
    }
}

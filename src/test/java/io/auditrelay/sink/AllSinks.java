package io.auditrelay.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.auditrelay.aws.S3Access;
import io.auditrelay.mapper.Json;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * Every sink endpoint (csv, ndjson, s3, kafka, webhook) in one Camel context on real servers (S3Proxy, Kafka, a
 * loopback HTTP receiver), each behind {@code direct:<sink>}, with the same extra options; what each one wrote is read
 * back as text lines (S3 objects gunzipped, Kafka record values, webhook bodies).
 */
public final class AllSinks implements AutoCloseable {

    public static final List<String> NAMES = List.of("csv", "ndjson", "s3", "kafka", "webhook");

    private final Path dir;
    private final String bucket = "all-sinks-" + System.nanoTime();
    private final String topic = "all-sinks-" + UUID.randomUUID();
    private final S3Client s3;
    private final KafkaServer kafka;
    private final HttpServer http;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final CamelContext context = new DefaultCamelContext();

    /**
     * @param options  extra endpoint options per sink name (a query string without the leading {@code &}); a sink
     *                 left out gets none
     */
    public AllSinks(Path dir, S3ProxyServer s3Server, KafkaServer kafka, Map<String, String> options) throws Exception {
        this.dir = dir;
        this.kafka = kafka;
        this.s3 = new S3Access("us-east-1", s3Server.httpUrl(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).client();
        s3.createBucket(b -> b.bucket(bucket));
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
        String common = "&dlqDir=" + dir.resolve("dlq") + "&maxRetries=0";
        Map<String, String> uris = new LinkedHashMap<>();
        uris.put("csv", "audit-csv:" + dir.resolve("csv") + "?sinkName=csv");
        uris.put("ndjson", "audit-ndjson:" + dir.resolve("ndjson") + "?sinkName=ndjson");
        uris.put("s3", "audit-s3:" + bucket + "?sinkName=s3&endpoint=RAW(" + s3Server.httpUrl() + ")&accessKey=RAW("
                + S3ProxyServer.ACCESS_KEY + ")&secretKey=RAW(" + S3ProxyServer.SECRET_KEY + ")&prefix=all&batchSize=1000"
                + "&batchInterval=200&spoolDir=" + dir.resolve("spool"));
        uris.put("kafka", "audit-kafka:" + topic + "?sinkName=kafka&brokers=" + kafka.bootstrapServers());
        uris.put("webhook", "audit-webhook:http://127.0.0.1:" + http.getAddress().getPort()
                + "/hook?sinkName=webhook&secret=RAW(whsec_" + java.util.Base64.getEncoder()
                .encodeToString("all-sinks-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)) + ")");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                uris.forEach((name, uri) -> {
                    String extra = options.getOrDefault(name, "");
                    from("direct:" + name).to(uri + common + (extra.isEmpty() ? "" : "&" + extra));
                });
            }
        });
        context.start();
    }

    /** Sends a unit (a list of events) to every sink; fails on a unit that ends in an exception. */
    public void sendToAll(List<?> unit) {
        for (String name : NAMES) {
            Exchange done = context.createProducerTemplate().send("direct:" + name, e -> e.getMessage().setBody(unit));
            if (done.getException() != null) {
                throw new AssertionError(name + " failed", done.getException());
            }
        }
    }

    /** What the sink wrote, a line per event (CSV without its header), once it holds at least {@code count}. */
    public List<String> awaitLines(String sink, int count) {
        RelayRunner.await(Duration.ofSeconds(60), () -> lines(sink).size() >= count);
        return lines(sink);
    }

    /** What the sink wrote so far. */
    public List<String> lines(String sink) {
        return switch (sink) {
            case "csv" -> Files.isDirectory(dir.resolve("csv")) ? Output.lines(dir.resolve("csv")).stream()
                    .filter(l -> !l.startsWith("id,")).toList() : List.of();
            case "ndjson" -> Files.isDirectory(dir.resolve("ndjson")) ? Output.lines(dir.resolve("ndjson")) : List.of();
            case "s3" -> s3Lines();
            case "kafka" -> kafkaValues();
            case "webhook" -> webhookEvents();
            default -> throw new IllegalArgumentException(sink);
        };
    }

    /** The S3 keys written so far. */
    public List<String> s3Keys() {
        return S3ProxyServer.keys(s3, bucket);
    }

    /** The dead-letter store's entries. */
    public List<JsonNode> deadLetters() {
        Path store = dir.resolve("dlq/dead-letters.jsonl");
        return Files.exists(store) ? Output.jsonFile(store) : List.of();
    }

    /** The dead-letter store's text. */
    public String deadLetterText() throws IOException {
        Path store = dir.resolve("dlq/dead-letters.jsonl");
        return Files.exists(store) ? Files.readString(store) : "";
    }

    private List<String> s3Lines() {
        List<String> lines = new ArrayList<>();
        for (String key : s3Keys()) {
            List<String> object = s3Object(key);
            if (object == null) {
                return List.of();
            }
            lines.addAll(object);
        }
        return lines;
    }

    /** The lines of one object (gunzipped), or null when it cannot be read yet. */
    public List<String> s3Object(String key) {
        List<String> lines = new ArrayList<>();
        {
            try {
                ResponseBytes<GetObjectResponse> object = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(object.asByteArray()))) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        if (!line.isBlank()) {
                            lines.add(line);
                        }
                    }
                }
            } catch (NoSuchKeyException e) {
                return null;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return lines;
    }

    private List<String> kafkaValues() {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "all-sinks-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            for (int i = 0; i < 6; i++) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    private List<String> webhookEvents() {
        List<String> events = new ArrayList<>();
        for (String body : bodies) {
            try {
                JsonNode node = Json.MAPPER.readTree(body);
                if (node.isArray()) {
                    node.forEach(n -> events.add(n.toString()));
                } else {
                    events.add(node.toString());
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return events;
    }

    @Override
    public void close() throws Exception {
        context.close();
        http.stop(0);
        s3.close();
    }
}

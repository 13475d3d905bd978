package io.auditrelay.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft Kafka broker ({@code org.apache.kafka:kafka_2.13}, see scripts/servers/kafka/pom.xml)
 * running as a separate JVM on a free loopback port, with its data under {@code target/servers-run/}.
 *
 * <pre>
 * KafkaServer kafka = KafkaServer.shared();          // started once per test JVM, stopped at exit
 * props.put("bootstrap.servers", kafka.bootstrapServers());
 * </pre>
 */
public final class KafkaServer extends ManagedServer {

    private static KafkaServer shared;

    private int port;
    private int controllerPort;
    private Duration startTimeout = Duration.ofSeconds(90);
    private List<String> jvm;
    private Path config;

    public KafkaServer() {
        super("kafka");
    }

    /** The broker shared by the whole test run: started on first use, stopped by a JVM shutdown hook. */
    public static synchronized KafkaServer shared() {
        if (shared == null || !shared.isRunning()) {
            KafkaServer s = new KafkaServer();
            s.start();
            s.stopAtJvmExit();
            shared = s;
        }
        return shared;
    }

    public KafkaServer startTimeout(Duration timeout) {
        this.startTimeout = timeout;
        return this;
    }

    /** {@code 127.0.0.1:<port>} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The values on a topic from its start, until {@code count} were read or 60 s passed (a fresh consumer group). */
    public List<String> values(String topic, int count) {
        List<String> values = new java.util.ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
                     new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                org.apache.kafka.clients.consumer.ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, STRING_DESERIALIZER,
                org.apache.kafka.clients.consumer.ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, STRING_DESERIALIZER))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            }
        }
        return values;
    }

    private static final String STRING_DESERIALIZER =
            org.apache.kafka.common.serialization.StringDeserializer.class.getName();

    public int port() {
        return port;
    }

    @Override
    protected void doStart(Path lib) {
        port = freePort();
        controllerPort = freePort();
        while (controllerPort == port) {
            controllerPort = freePort();
        }
        Path data = workDir.resolve("data");
        Path config = workDir.resolve("server.properties");
        write(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=" + HOST + ":" + controllerPort,
                "listeners=PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + HOST + ":" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + data.toAbsolutePath(),
                "num.partitions=1",
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "delete.topic.enable=true",
                "log.flush.interval.messages=9223372036854775807",
                "") );
        Path log4j = workDir.resolve("log4j2.properties");
        write(log4j, String.join("\n",
                "status = warn",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.out.ref = out",
                "logger.state.name = state.change.logger",
                "logger.state.level = WARN",
                "logger.config.name = org.apache.kafka.common.config",
                "logger.config.level = WARN",
                ""));
        List<String> jvm = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.awt.headless=true", "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());

        // 1. format the storage directory (dynamic quorum, this node is the only controller)
        runToCompletion(lib, jvm, List.of("kafka.tools.StorageTool", "format", "--standalone",
                "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toAbsolutePath().toString(),
                "--ignore-formatted"), Duration.ofSeconds(60));

        this.jvm = jvm;
        this.config = config;
        launchAndAwait(lib);
    }

    @Override
    protected void doResume(Path lib) {
        launchAndAwait(lib);
    }

    private void launchAndAwait(Path lib) {
        // 2. run the broker; readiness = an AdminClient (kafka-clients from the test classpath) sees the node
        process = launchJava(lib, jvm, List.of("kafka.Kafka", config.toAbsolutePath().toString()));
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.CLIENT_ID_CONFIG, "kafka-server-readiness-" + UUID.randomUUID(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 100,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            awaitReady(startTimeout, "AdminClient describeCluster on " + bootstrapServers(), () ->
                    portOpen(port) && !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000))
                            .nodes().get(3, TimeUnit.SECONDS).isEmpty());
        }
    }
}

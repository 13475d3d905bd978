#!/usr/bin/env bash
# Starts/stops the real servers (same setup as the Java helpers in src/test/java/io/auditrelay/testing/)
# for benchmarks and manual runs, as background processes on free loopback ports.
#
#   scripts/servers.sh start kafka|pulsar|s3proxy    # prints KEY=value lines (also in target/servers-run/<name>-cli/env)
#   scripts/servers.sh stop  kafka|pulsar|s3proxy
#   scripts/servers.sh status kafka|pulsar|s3proxy
#
# Env: START_TIMEOUT (seconds, default 180).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACTION="${1:-}"; NAME="${2:-}"
case "$NAME" in kafka|pulsar|s3proxy) ;; *) echo "usage: $0 start|stop|status kafka|pulsar|s3proxy" >&2; exit 2;; esac
DIR="$ROOT/target/servers-run/$NAME-cli"
LIB="$ROOT/target/servers/$NAME/lib"
PIDFILE="$DIR/pid"
LOG="$DIR/$NAME.log"
TIMEOUT="${START_TIMEOUT:-180}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    local p; while :; do p=$((20000 + RANDOM % 40000)); (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }; done
  fi
}
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
wait_ready() { # $1 = description, rest = command that succeeds when ready
  local what="$1"; shift; local end=$((SECONDS + TIMEOUT))
  until "$@"; do
    if ! running; then echo "$NAME: process exited before $what; last log lines:" >&2; tail -n 40 "$LOG" >&2; exit 1; fi
    if [ $SECONDS -ge $end ]; then echo "$NAME: not ready within ${TIMEOUT}s ($what); last log lines:" >&2; tail -n 40 "$LOG" >&2; stop; exit 1; fi
    sleep 0.2
  done
}
stop() {
  if running; then
    local pid; pid="$(cat "$PIDFILE")"; kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

start_kafka() {
  local port cport; port=$(free_port); cport=$(free_port)
  cat > "$DIR/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
CONF
  cat > "$DIR/log4j2.properties" <<'CONF'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.config.name = org.apache.kafka.common.config
logger.config.level = WARN
CONF
  local jvm=(-Xms256m -Xmx1g -Dlog4j2.configurationFile="$DIR/log4j2.properties")
  local cid; cid=$("$JAVA" -cp "$LIB/*" "${jvm[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  "$JAVA" -cp "$LIB/*" "${jvm[@]}" kafka.tools.StorageTool format --standalone --cluster-id "$cid" \
    --config "$DIR/server.properties" --ignore-formatted >>"$LOG" 2>&1
  nohup "$JAVA" -cp "$LIB/*" "${jvm[@]}" kafka.Kafka "$DIR/server.properties" >>"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  wait_ready "'Kafka Server started' in the log" grep -q "Kafka Server started" "$LOG"
  echo "KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$port" > "$DIR/env"
}

start_pulsar() {
  local bport wport; bport=$(free_port); wport=$(free_port)
  cat > "$DIR/standalone.conf" <<CONF
clusterName=standalone
advertisedAddress=127.0.0.1
bindAddress=127.0.0.1
brokerServicePort=$bport
webServicePort=$wport
managedLedgerDefaultEnsembleSize=1
managedLedgerDefaultWriteQuorum=1
managedLedgerDefaultAckQuorum=1
loadManagerClassName=org.apache.pulsar.broker.loadbalance.NoopLoadManager
functionsWorkerEnabled=false
webSocketServiceEnabled=false
transactionCoordinatorEnabled=false
allowAutoTopicCreation=true
allowAutoTopicCreationType=non-partitioned
brokerDeleteInactiveTopicsEnabled=false
CONF
  nohup "$JAVA" -Xms256m -Xmx1g -XX:MaxDirectMemorySize=512m \
    --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
    --add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
    --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
    -Dio.netty.tryReflectionSetAccessible=true -Dpulsar.allocator.exit_on_oom=true \
    -cp "$LIB/*" org.apache.pulsar.PulsarStandaloneStarter --config "$DIR/standalone.conf" -nfw -nss \
    --bookkeeper-port 0 --bookkeeper-dir "$DIR/data/bookkeeper" --metadata-dir "$DIR/data/metadata" \
    --advertised-address 127.0.0.1 >>"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  pulsar_ready() { curl -sf "http://127.0.0.1:$wport/admin/v2/namespaces/public" 2>/dev/null | grep -q public/default && port_open "$bport"; }
  wait_ready "public/default namespace listed by the admin API" pulsar_ready
  printf 'PULSAR_SERVICE_URL=pulsar://127.0.0.1:%s\nPULSAR_HTTP_URL=http://127.0.0.1:%s\n' "$bport" "$wport" > "$DIR/env"
}

start_s3proxy() {
  local port; port=$(free_port); mkdir -p "$DIR/data/blobs"
  local id="${S3_ACCESS_KEY:-audit-relay-test-access-key}" secret="${S3_SECRET_KEY:-audit-relay-test-secret-key}"
  cat > "$DIR/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$id
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.identity=$id
jclouds.credential=$secret
jclouds.filesystem.basedir=$DIR/data/blobs
CONF
  nohup "$JAVA" -Xms64m -Xmx512m -jar "$(ls "$LIB"/s3proxy-*-jar-with-dependencies.jar | head -n 1)" \
    --properties "$DIR/s3proxy.conf" >>"$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  s3_ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" != "000" ]; }
  wait_ready "HTTP answer on port $port" s3_ready
  printf 'S3_ENDPOINT=http://127.0.0.1:%s\nS3_ACCESS_KEY=%s\nS3_SECRET_KEY=%s\nS3_REGION=us-east-1\n' "$port" "$id" "$secret" > "$DIR/env"
}

case "$ACTION" in
  start)
    if running; then cat "$DIR/env"; exit 0; fi
    bash "$ROOT/scripts/fetch-servers.sh" "$NAME" >&2
    rm -rf "$DIR"; mkdir -p "$DIR"
    t0=$SECONDS
    "start_$NAME"
    echo "$NAME: ready in $((SECONDS - t0))s, pid $(cat "$PIDFILE"), log $LOG" >&2
    cat "$DIR/env";;
  stop) stop; echo "$NAME: stopped" >&2;;
  status) if running; then echo "$NAME: running (pid $(cat "$PIDFILE"))"; cat "$DIR/env"; else echo "$NAME: not running"; exit 1; fi;;
  *) echo "usage: $0 start|stop|status kafka|pulsar|s3proxy" >&2; exit 2;;
esac

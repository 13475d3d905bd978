#!/usr/bin/env bash
# Audit Relay benchmarks (see bench/README.md).
#   bench/run.sh [--quick] [--only mappers,csv,kafka,s3,latency,smallfiles]
# --quick: 100k events (< 3 min); default: 1,000,000 events (< 15 min on 2 cores).
# Prints a markdown table; writes target/bench/results.json (project top level). Exits non-zero when an output
# count differs from the input count or a step fails.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
EVENTS=1000000; QUICK=; ONLY=mappers,csv,kafka,s3,latency,smallfiles
# seconds a relay run may take before it is stopped and counted as failed (keeps the run inside its budget)
RELAY_TIMEOUT=300; KAFKA_TIMEOUT=330
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; EVENTS=100000; RELAY_TIMEOUT=60; KAFKA_TIMEOUT=90;;
    --events) EVENTS="$2"; shift;;
    --only) ONLY="$2"; shift;;
    *) echo "usage: $0 [--quick] [--events N] [--only mappers,csv,kafka,s3,latency,smallfiles]" >&2; exit 2;;
  esac
  shift
done
MVN=(mvn -q -B)
# offline first (deps are in ~/.m2); online only when something is missing
mvn_run() { "${MVN[@]}" -o "$@" || "${MVN[@]}" "$@"; }

t0=$SECONDS
STARTED=()
cleanup() { for s in "${STARTED[@]:-}"; do [ -n "$s" ] && bash "$ROOT/scripts/servers.sh" stop "$s" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
mkdir -p "$ROOT/target/bench"
# the servers start in the background while the jars build (their own fetch runs first, sequentially)
# which servers the sections need: kafka (kafka, latency), s3proxy (s3, smallfiles)
needs() {
  case "$1" in
    kafka) [[ ",$ONLY," == *",kafka,"* || ",$ONLY," == *",latency,"* ]];;
    s3proxy) [[ ",$ONLY," == *",s3,"* || ",$ONLY," == *",smallfiles,"* ]];;
  esac
}
for s in kafka s3proxy; do
  if needs "$s"; then
    bash "$ROOT/scripts/fetch-servers.sh" "$s" >&2
    echo "== start $s (background)" >&2
    STARTED+=("$s")
    bash "$ROOT/scripts/servers.sh" start "$s" > "$ROOT/target/bench/$s.env" 2> "$ROOT/target/bench/$s.start.log" &
    eval "PID_$s=\$!"
  fi
done
# install the relay jar; skipped when both the installed jar (which the bench compiles against) and the runnable
# target/audit-relay.jar (the relay under test) are newer than every input of the build. Another checkout may
# install the same artifact, so the runnable jar is checked too. (BENCH_FORCE_INSTALL=1 to always install)
INSTALLED="$HOME/.m2/repository/io/auditrelay/audit-relay/0.1.0-SNAPSHOT/audit-relay-0.1.0-SNAPSHOT.jar"
newer_inputs() {
  find "$ROOT/src/main" "$ROOT/routes" "$ROOT/kamelets" "$ROOT/pom.xml" "$ROOT/application.properties" \
       -newer "$1" -print -quit 2>/dev/null
}
if [ -z "${BENCH_FORCE_INSTALL:-}" ] && [ -f "$INSTALLED" ] && [ -f "$ROOT/target/audit-relay.jar" ] \
   && [ -z "$(newer_inputs "$INSTALLED")" ] && [ -z "$(newer_inputs "$ROOT/target/audit-relay.jar")" ]; then
  echo "== relay jar up to date (installed $(date -r "$INSTALLED" +%FT%T))" >&2
else
  echo "== install the relay jar (mvn install, tests skipped)" >&2
  (cd "$ROOT" && mvn_run install -Dmaven.test.skip=true)
fi
# build the bench; skipped when its classpath file is newer than its sources, its pom and the installed relay jar
CPFILE="$BENCH/target/cp.txt"
if [ -z "${BENCH_FORCE_INSTALL:-}" ] && [ -f "$CPFILE" ] && [ -f "$INSTALLED" ] && [ ! "$INSTALLED" -nt "$CPFILE" ] \
   && [ -z "$(find "$BENCH/src" "$BENCH/pom.xml" -newer "$CPFILE" -print -quit 2>/dev/null)" ]; then
  echo "== bench up to date ($((SECONDS - t0))s)" >&2
else
  echo "== build bench ($((SECONDS - t0))s)" >&2
  (cd "$BENCH" && mvn_run package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt)
  touch "$CPFILE"
fi
CP="$BENCH/target/classes:$(cat "$BENCH/target/cp.txt")"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

ARGS=(--events "$EVENTS" --root "$ROOT" --only "$ONLY" --relay-timeout "$RELAY_TIMEOUT" --kafka-timeout "$KAFKA_TIMEOUT")
[ -n "$QUICK" ] && ARGS+=(--quick)
envval() { grep "^$1=" | cut -d= -f2-; }
if needs kafka; then
  wait "$PID_kafka" || { echo "kafka did not start:" >&2; cat "$ROOT/target/bench/kafka.start.log" >&2; exit 1; }
  ARGS+=(--kafka "$(envval KAFKA_BOOTSTRAP_SERVERS < "$ROOT/target/bench/kafka.env")")
fi
if needs s3proxy; then
  wait "$PID_s3proxy" || { echo "s3proxy did not start:" >&2; cat "$ROOT/target/bench/s3proxy.start.log" >&2; exit 1; }
  E="$ROOT/target/bench/s3proxy.env"
  ARGS+=(--s3 "$(envval S3_ENDPOINT < "$E"),$(envval S3_ACCESS_KEY < "$E"),$(envval S3_SECRET_KEY < "$E")")
fi
echo "== measure (${EVENTS} events) ($((SECONDS - t0))s)" >&2
# BENCH_JFR=1: the bench JVM (the baselines' loops) is recorded too, into target/bench/bench.jfr
JFR_OPTS=(); [ -n "${BENCH_JFR:-}" ] && JFR_OPTS=("-XX:StartFlightRecording=filename=$ROOT/target/bench/bench.jfr,settings=profile")
"$JAVA" -Xmx1g "${JFR_OPTS[@]}" -cp "$CP" io.auditrelay.bench.BenchMain "${ARGS[@]}"
echo "== done in $((SECONDS - t0))s" >&2

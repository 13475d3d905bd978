#!/usr/bin/env bash
# Audit Relay benchmarks (see bench/README.md).
#   bench/run.sh [--quick] [--only mappers,csv,kafka,s3]
# --quick: 100k events (< 3 min); default: 1,000,000 events (< 15 min on 2 cores).
# Prints a markdown table; writes target/bench/results.json (project top level). Exits non-zero when an output
# count differs from the input count or a step fails.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
EVENTS=1000000; QUICK=; ONLY=mappers,csv,kafka,s3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; EVENTS=100000;;
    --events) EVENTS="$2"; shift;;
    --only) ONLY="$2"; shift;;
    *) echo "usage: $0 [--quick] [--events N] [--only mappers,csv,kafka,s3]" >&2; exit 2;;
  esac
  shift
done
MVN=(mvn -q -B)
# offline first (deps are in ~/.m2); online only when something is missing
mvn_run() { "${MVN[@]}" -o "$@" || "${MVN[@]}" "$@"; }

t0=$SECONDS
echo "== install the relay jar (mvn install -DskipTests)" >&2
(cd "$ROOT" && mvn_run install -DskipTests)
echo "== build bench" >&2
(cd "$BENCH" && mvn_run package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt)
CP="$BENCH/target/classes:$(cat "$BENCH/target/cp.txt")"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

ARGS=(--events "$EVENTS" --root "$ROOT" --only "$ONLY")
[ -n "$QUICK" ] && ARGS+=(--quick)
STARTED=()
cleanup() { for s in "${STARTED[@]:-}"; do [ -n "$s" ] && bash "$ROOT/scripts/servers.sh" stop "$s" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
envval() { grep "^$1=" | cut -d= -f2-; }
if [[ ",$ONLY," == *",kafka,"* ]]; then
  echo "== start kafka" >&2
  KENV="$(bash "$ROOT/scripts/servers.sh" start kafka)"; STARTED+=(kafka)
  ARGS+=(--kafka "$(echo "$KENV" | envval KAFKA_BOOTSTRAP_SERVERS)")
fi
if [[ ",$ONLY," == *",s3,"* ]]; then
  echo "== start s3proxy" >&2
  SENV="$(bash "$ROOT/scripts/servers.sh" start s3proxy)"; STARTED+=(s3proxy)
  ARGS+=(--s3 "$(echo "$SENV" | envval S3_ENDPOINT),$(echo "$SENV" | envval S3_ACCESS_KEY),$(echo "$SENV" | envval S3_SECRET_KEY)")
fi
echo "== measure (${EVENTS} events)" >&2
"$JAVA" -Xmx1g -cp "$CP" io.auditrelay.bench.BenchMain "${ARGS[@]}"
echo "== done in $((SECONDS - t0))s" >&2

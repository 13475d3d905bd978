#!/usr/bin/env bash
# Fetches the jars of the real servers used by tests and benchmarks (Kafka, Pulsar, S3Proxy)
# from Maven Central into target/servers/<name>/lib. They are NOT on the application's classpath.
# Idempotent: a server whose lib dir is already populated is skipped (FORCE=1 to refetch).
# Usage: scripts/fetch-servers.sh [kafka] [pulsar] [s3proxy]   (default: all)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVERS=("$@")
[ ${#SERVERS[@]} -eq 0 ] && SERVERS=(kafka pulsar s3proxy)
for s in "${SERVERS[@]}"; do
  pom="$ROOT/scripts/servers/$s/pom.xml"
  lib="$ROOT/target/servers/$s/lib"
  [ -f "$pom" ] || { echo "fetch-servers: unknown server '$s'" >&2; exit 2; }
  if [ -z "${FORCE:-}" ] && [ -f "$lib/.complete" ]; then
    echo "fetch-servers: $s already in $lib"
    continue
  fi
  echo "fetch-servers: fetching $s into $lib"
  rm -rf "$lib"
  ok=
  for attempt in 1 2 3; do   # another build may be filling ~/.m2 concurrently; retry transient failures
    if mvn -q -B -f "$pom" dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime; then ok=1; break; fi
    echo "fetch-servers: attempt $attempt for $s failed, retrying" >&2
    sleep 3
  done
  [ -n "$ok" ] || { echo "fetch-servers: could not fetch $s" >&2; exit 1; }
  touch "$lib/.complete"
done

#!/usr/bin/env bash
# Soak run (not in CI; bench/README.md): the relay under -Xmx256m with every source fed at a steady mixed rate and
# every sink enabled, on real loopback servers (Kafka, Pulsar, S3Proxy, a CockroachDB API stand-in, a webhook
# receiver), killed with SIGKILL every KILL_MINUTES and started again, for SOAK_MINUTES. Samples the relay's heap
# (jstat) and RSS (/proc) every SAMPLE_SECONDS, plots them (PNG), and ends with the crash suite's exactly-once check.
#
#   SOAK_MINUTES=30 KILL_MINUTES=5 bench/soak.sh      # defaults; output in target/soak/<time>/
#
# Output: samples.csv, kills.csv, soak.png, result.txt (PASSED/FAILED and per-sink counts), run/ (the relays' logs,
# state and outputs). Exits non-zero when the check failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOAK_MINUTES="${SOAK_MINUTES:-30}"; KILL_MINUTES="${KILL_MINUTES:-5}"; SAMPLE_SECONDS="${SAMPLE_SECONDS:-5}"
OUT="$ROOT/target/soak/$(date -u +%Y%m%dT%H%M%SZ)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$ROOT"
mkdir -p "$OUT"
bash scripts/fetch-servers.sh >&2
echo "== build (test classes and their class path)" >&2
mvn -q -B -o test-compile dependency:build-classpath -Dmdep.outputFile=target/soak-classpath.txt \
  -Dmdep.includeScope=test >&2 \
  || mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/soak-classpath.txt -Dmdep.includeScope=test >&2
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat target/soak-classpath.txt)"
echo "== soak: ${SOAK_MINUTES} min, a SIGKILL every ${KILL_MINUTES} min, output $OUT" >&2
status=0
"$JAVA" -Xmx1g -cp "$CP" -Dsoak.minutes="$SOAK_MINUTES" -Dsoak.kill-minutes="$KILL_MINUTES" \
  -Dsoak.sample-seconds="$SAMPLE_SECONDS" io.auditrelay.chaos.SoakRun "$OUT" || status=$?

echo "== plot" >&2
if python3 -c 'import matplotlib' 2>/dev/null; then
  python3 - "$OUT" <<'PY'
import csv, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/samples.csv")))
kills = [float(r["seconds"]) / 60 for r in csv.DictReader(open(out + "/kills.csv"))]
t = [float(r["seconds"]) / 60 for r in rows]
for key, label in (("heap_used_mb", "heap used"), ("heap_committed_mb", "heap committed"), ("rss_mb", "RSS")):
    plt.plot(t, [float(r[key]) if float(r[key]) >= 0 else None for r in rows], label=label)
for k in kills:
    plt.axvline(k, color="gray", linewidth=0.8)
plt.xlabel("minutes"); plt.ylabel("MB"); plt.legend(); plt.title("Audit Relay soak (gray: SIGKILL)")
plt.savefig(out + "/soak.png", dpi=100)
PY
elif command -v gnuplot >/dev/null; then
  gnuplot <<GP
set terminal png size 1000,500; set output "$OUT/soak.png"; set datafile separator ","; set key autotitle columnhead
set xlabel "minutes"; set ylabel "MB"; set title "Audit Relay soak"
plot "$OUT/samples.csv" using (\$1/60):2 with lines title "heap used", "" using (\$1/60):3 with lines title "heap committed", "" using (\$1/60):4 with lines title "RSS"
GP
else
  "$JAVA" -cp "$CP" -Djava.awt.headless=true io.auditrelay.chaos.SoakPlot "$OUT/samples.csv" "$OUT/kills.csv" "$OUT/soak.png"
fi
echo "== result ($OUT)" >&2
cat "$OUT/result.txt"
exit "$status"

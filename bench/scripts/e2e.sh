#!/bin/bash
# End-to-end comparison of Omnibus with dbus-daemon and dbus-broker (issue #6), in one run:
#   1. the shared harness ../shared/bench/run.sh with Omnibus plugged in (pingpong, pipeline,
#      broadcast, connect, dbus-test-tool spam; all three daemons interleaved);
#   2. bench/e2e/extra.py: 10k non-matching match rules vs 10, fan-out to 100 subscribers,
#      start-to-ready time and RSS with 1000 idle connections;
#   3. bench/e2e/report.py: ratios.md (vs the issue's targets) and chart.png.
# Results: bench/results/<stamp>/ (gitignored). Nothing under ../shared is written: loadgen is
# built into bench/results/ and the harness writes into bench/results/<stamp>/harness/.
#
#   bench/scripts/e2e.sh                  # harness defaults (5 reps x 1 s), ~15 min
#   bench/scripts/e2e.sh --reps 3         # shorter
#   bench/scripts/e2e.sh --only extra     # skip the harness
#   OMNIBUS_JVM_OPTS='...' bench/scripts/e2e.sh   # extra JVM flags for Omnibus (appended)
# Options: --reps N (5), --duration S (1.0), --warmup-pass S (2), --startup-reps N (7),
#          --only harness|extra, -v; anything else is passed to run.sh.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in bench/e2e
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
shared=${OMNIBUS_BENCH_HARNESS:-$root/../shared/bench}
py=/usr/bin/python3          # the Debian python, where python3-matplotlib lands

reps=5 duration=1.0 warmup=2 startup_reps=7 only="" verbose=() pass=()
while (($#)); do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --warmup-pass) warmup=$2; shift 2 ;;
        --startup-reps) startup_reps=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        -v) verbose=(-v); shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done

missing=()
[[ -r $shared/run.sh ]] || { echo "e2e: harness not found at $shared (set OMNIBUS_BENCH_HARNESS)" >&2; exit 1; }
for tool in gcc dbus-daemon dbus-broker dbus-broker-launch dbus-test-tool unshare; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "e2e: missing: ${missing[*]} (Debian: apt-get install -y gcc dbus-broker dbus-tests)" >&2
    exit 1
fi
[[ $(id -u) -eq 0 ]] || echo "e2e: warning: not root; broker-wrap.py needs unshare -m (dbus-broker will fail)" >&2
$py -c 'import matplotlib' 2>/dev/null ||
    echo "e2e: python3-matplotlib missing: no chart.png (apt-get install -y python3-matplotlib)" >&2

# Build Omnibus once, up front, so that no daemon start is timed with a Maven build in it.
jar=$root/daemon/target/omnibus.jar
if [[ ! -f $jar ]]; then
    echo "e2e: building Omnibus ($jar missing)" >&2
    (cd "$root" && JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} \
        mvn -q -B -o -DskipTests -Dmaven.javadoc.skip=true package) || {
        echo "e2e: build failed (try without -o if a dependency is missing)" >&2; exit 1; }
fi

mkdir -p "$root/bench/results"
export BENCH_LOADGEN=$root/bench/results/loadgen
if [[ ! -x $BENCH_LOADGEN || $shared/loadgen.c -nt $BENCH_LOADGEN ]]; then
    gcc -O2 -Wall -o "$BENCH_LOADGEN" "$shared/loadgen.c"
fi
stamp=$(date +%Y%m%d-%H%M%S)
out=$root/bench/results/$stamp
mkdir -p "$out/harness"
export BENCH_RESULTS=$out/harness

# Omnibus runs from a copy of the jar (see bench/e2e/omnibus-snapshot.sh), with the launcher's flags.
cp "$jar" "$out/omnibus.jar"
# Train its AOT cache now, as a launch of a new jar would in the background, so that no run is
# measured before the cache exists.
( . "$root/bin/lib/common.sh"; omnibus_find_jdk
  "$root/bin/lib/aot-train.sh" "$out/omnibus.jar" "$out/omnibus.aot" "$JAVA" "${OMNIBUS_DAEMON_JVM_OPTS[@]}" ) \
  || echo "e2e: AOT training failed; Omnibus runs without the cache" >&2
omnibus="omnibus=$root/bench/e2e/omnibus-snapshot.sh $out/omnibus.jar --config-file={CONF} --address={ADDR} --nofork"
daemons=(--daemon dbus-daemon --daemon dbus-broker --daemon "$omnibus")
{
    echo "command: $0 --reps $reps --duration $duration --warmup-pass $warmup --startup-reps $startup_reps ${pass[*]:-}"
    echo "git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet HEAD -- 2>/dev/null || echo ' (dirty tree)')"
    echo "OMNIBUS_JVM_OPTS: ${OMNIBUS_JVM_OPTS:-}"
    echo "host: $(nproc) CPUs, $(uname -r), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/run-info.txt"

if [[ $only != extra ]]; then
    echo "e2e: [1/3] shared harness -> $out/harness" >&2
    "$shared/run.sh" "${daemons[@]}" --warmup-pass "$warmup" --reps "$reps" --duration "$duration" \
        "${verbose[@]}" "${pass[@]}" | tee "$out/harness-table.md"
fi
if [[ $only != harness ]]; then
    echo "e2e: [2/3] extra scenarios -> $out/extra.jsonl" >&2
    $py "$root/bench/e2e/extra.py" --harness "$shared" "${daemons[@]}" --out "$out" \
        --reps "$reps" --duration "$duration" --warmup-pass "$warmup" --startup-reps "$startup_reps" "${verbose[@]}"
fi
echo "e2e: [3/3] ratios and chart" >&2
$py "$root/bench/e2e/report.py" "$out" | tee "$out/ratios-stdout.md"
echo "e2e: done: $out" >&2

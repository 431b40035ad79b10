#!/bin/bash
# Start-to-ready time and idle RSS (fresh daemon, then 1000 idle connections) of Omnibus under
# alternative JVM flags, appended to bin/lib/common.sh's OMNIBUS_DAEMON_JVM_OPTS through
# OMNIBUS_JVM_OPTS (later flags win). dbus-daemon and dbus-broker run in the same rotation as
# references. The AOT variants use a cache trained here first (JDK 25, JEP 483/514/515: one
# training run with -XX:AOTCacheOutput under loadgen traffic, written when the JVM exits).
#
#   bench/scripts/e2e-jvmflags.sh [--startup-reps N]      # default 5
# Output: bench/results/jvmflags-<stamp>/ (extra.jsonl, summary.md, omnibus.aot)
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in bench/e2e
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
shared=${OMNIBUS_BENCH_HARNESS:-$root/../shared/bench}
reps=5
[[ ${1:-} == --startup-reps ]] && reps=$2
out=$root/bench/results/jvmflags-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
export BENCH_LOADGEN=$root/bench/results/loadgen
[[ -x $BENCH_LOADGEN && $BENCH_LOADGEN -nt $shared/loadgen.c ]] || gcc -O2 -Wall -o "$BENCH_LOADGEN" "$shared/loadgen.c"
lg=$BENCH_LOADGEN
cp "$root/daemon/target/omnibus.jar" "$out/omnibus.jar"   # fixed build: see bench/e2e/omnibus-snapshot.sh
daemon="$root/bench/e2e/omnibus-snapshot.sh $out/omnibus.jar"
aot=$out/omnibus.aot

echo "AOT training run -> $aot" >&2
addr=unix:path=$out/train.sock
OMNIBUS_JVM_OPTS="-XX:AOTCacheOutput=$aot" setsid $daemon --config-file="$shared/bus.conf" \
    --address="$addr" --nofork >"$out/train.log" 2>&1 &
pid=$!
for _ in $(seq 600); do "$lg" probe -a "$addr" >/dev/null 2>&1 && break; sleep 0.05; done
"$lg" echo -a "$addr" -n org.bench.Echo >/dev/null & echo_pid=$!
sleep 0.3
for m in "pingpong -s 64" "pipeline -s 4096 -W 64" "broadcast -s 64 -k 4" "connect"; do
    "$lg" $m -a "$addr" -d 1 -w 0.1 -n org.bench.Echo >/dev/null
done
kill "$echo_pid"; kill -TERM "$pid"; wait "$pid" || true
ls -l "$aot" >&2 || echo "AOT cache not written; see $out/train.log" >&2

base="$daemon --config-file={CONF} --address={ADDR} --nofork"
args=(--daemon dbus-daemon --daemon dbus-broker --daemon "omnibus=$base")
args+=(--daemon "omnibus-c1=env OMNIBUS_JVM_OPTS='-XX:TieredStopAtLevel=1' $base")
args+=(--daemon "omnibus-g1=env OMNIBUS_JVM_OPTS='-XX:-UseSerialGC -XX:+UseG1GC' $base")
args+=(--daemon "omnibus-xss256k=env OMNIBUS_JVM_OPTS='-Xss256k' $base")
args+=(--daemon "omnibus-coh=env OMNIBUS_JVM_OPTS='-XX:+UseCompactObjectHeaders' $base")
args+=(--daemon "omnibus-lean=env OMNIBUS_JVM_OPTS='-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=16m -Xmx64m -XX:+UseCompactObjectHeaders' $base")
args+=(--daemon "omnibus-noshare=env OMNIBUS_JVM_OPTS='-Xshare:off' $base")
if [[ -f $aot ]]; then
    args+=(--daemon "omnibus-aot=env OMNIBUS_JVM_OPTS='-XX:AOTCache=$aot' $base")
    args+=(--daemon "omnibus-aot-c1=env OMNIBUS_JVM_OPTS='-XX:AOTCache=$aot -XX:TieredStopAtLevel=1' $base")
fi
/usr/bin/python3 "$root/bench/e2e/extra.py" --harness "$shared" "${args[@]}" --out "$out" --only startup \
    --startup-reps "$reps" -v
/usr/bin/python3 - "$out/extra.jsonl" <<'EOF' | tee "$out/summary.md"
import collections, json, statistics, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rs: by[r["target"]].append(r)
print("| daemon | start to ready ms (median, min-max) | RSS fresh MiB | RSS 1000 conns MiB | idle CPU % | errors |")
print("|---|---|---|---|---|---|")
for t, v in by.items():
    ok = [r for r in v if "error" not in r]
    if not ok:
        print(f"| {t} | - | - | - | - | {v[0]['error'][:60]} |"); continue
    rm = [r["ready_ms"] for r in ok]
    med = lambda k: statistics.median([r[k] for r in ok if k in r])
    print(f"| {t} | {statistics.median(rm):.0f} ({min(rm):.0f}-{max(rm):.0f}) | {med('rss_before_kb') / 1024:.1f} | "
          f"{med('rss_after_kb') / 1024:.1f} | {med('idle_cpu_pct'):.1f} | {len(v) - len(ok)} |")
EOF
echo "jvmflags: $out" >&2

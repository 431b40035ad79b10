#!/bin/bash
# Profiles the Omnibus daemon under one loadgen scenario: JFR execution and allocation samples of
# the warmed-up daemon (bench/e2e/jfrtop.py summarises them), user and system CPU per daemon thread,
# a perf cpu-clock profile with JIT-compiled frames named (kernel time included, which JFR does not
# see), syscalls per operation (strace -c on a separate, shorter run: strace slows the daemon down)
# and perf stat software counters.
#
#   bench/scripts/e2e-profile.sh pipeline -s 64 -W 64
#   bench/scripts/e2e-profile.sh broadcast -s 64 -k 4
#   bench/scripts/e2e-profile.sh pingpong -s 64
# Output: bench/results/profile-<stamp>-<mode>/ (omnibus.jfr, jfrtop.txt, threads.txt, perf-top.txt,
# strace.txt, perf.txt, loadgen-*.txt, daemon.log). Env: DURATION (10 s measured under JFR), OMNIBUS_JVM_OPTS (appended).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1   # no __pycache__ in bench/e2e
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
shared=${OMNIBUS_BENCH_HARNESS:-$root/../shared/bench}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mode=${1:?usage: e2e-profile.sh pipeline|pingpong|broadcast|connect [loadgen options]}; shift
dur=${DURATION:-10}
out=$root/bench/results/profile-$(date +%Y%m%d-%H%M%S)-$mode
mkdir -p "$out"
cp "$root/daemon/target/omnibus.jar" "$out/omnibus.jar"   # fixed build: see bench/e2e/omnibus-snapshot.sh
lg=$root/bench/results/loadgen
[[ -x $lg && $lg -nt $shared/loadgen.c ]] || gcc -O2 -Wall -o "$lg" "$shared/loadgen.c"
sock=$out/bus.sock addr=unix:path=$out/bus.sock

OMNIBUS_JVM_OPTS="-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:+PreserveFramePointer ${OMNIBUS_JVM_OPTS:-}" \
    setsid "$root/bench/e2e/omnibus-snapshot.sh" "$out/omnibus.jar" --config-file="$shared/bus.conf" --address="$addr" --nofork \
    >"$out/daemon.log" 2>&1 &
pid=$!
echo_pid=""
cleanup() {
    [[ -n $echo_pid ]] && kill "$echo_pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -f "$sock"
}
trap cleanup EXIT
for _ in $(seq 600); do "$lg" probe -a "$addr" >/dev/null 2>&1 && break; sleep 0.05; done
if [[ $mode == pingpong || $mode == pipeline ]]; then
    "$lg" echo -a "$addr" -n org.bench.Echo >/dev/null &
    echo_pid=$!
    for _ in $(seq 200); do "$lg" probe -a "$addr" -n org.bench.Echo >/dev/null 2>&1 && break; sleep 0.05; done
fi
run() { "$lg" "$mode" -a "$addr" "$@" -n org.bench.Echo; }

echo "warm-up (JIT): 5 s" >&2
run "$@" -d 5 -w 0.5 >"$out/loadgen-warmup.txt"

echo "JFR: ${dur} s" >&2
"$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=e2e settings=profile >/dev/null
run "$@" -d "$dur" -w 0 | tee "$out/loadgen-jfr.txt"
"$JAVA_HOME/bin/jcmd" "$pid" JFR.dump name=e2e filename="$out/omnibus.jfr" >/dev/null
"$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=e2e >/dev/null
ops=$(sed -n 's/.*total_ops=\([0-9]*\).*/\1/p' "$out/loadgen-jfr.txt")

echo "CPU per thread: 3 s" >&2
ticks() { for t in /proc/"$pid"/task/*; do echo "${t##*/}:$(tr ' ' _ <"$t/comm") $(awk '{print $14, $15}' "$t/stat")"; done | sort; }
run "$@" -d 4 -w 0 >"$out/loadgen-threads.txt" &
run_pid=$!
sleep 0.5; before=$(ticks); sleep 3; after=$(ticks)
wait "$run_pid"
{
    echo "user and system clock ticks ($(getconf CLK_TCK)/s) per daemon thread in 3 s of: $mode $*"
    join <(echo "$before") <(echo "$after") | awk '{u = $4 - $2; s = $5 - $3; if (u + s > 0) printf "  %-28s user %4d  sys %4d\n", $1, u, s}'
    echo "ops in the 4 s run: $(sed -n 's/.*total_ops=\([0-9]*\).*/\1/p' "$out/loadgen-threads.txt")"
} | tee "$out/threads.txt"

if command -v perf >/dev/null; then
    echo "perf record: 3 s" >&2
    run "$@" -d 4 -w 0 >"$out/loadgen-perf-record.txt" &
    run_pid=$!
    sleep 0.5
    perf record -q -e cpu-clock -F 4999 -g -p "$pid" -o "$out/perf.data" -- sleep 3 2>/dev/null || true
    wait "$run_pid"
    "$JAVA_HOME/bin/jcmd" "$pid" Compiler.perfmap >/dev/null 2>&1 || true   # /tmp/perf-<pid>.map: JIT symbols
    {   # head closes the pipes early: with pipefail that is a failure, not one to stop for
        perf report -i "$out/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -8 || true
        echo
        perf report -i "$out/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep '%' | head -40 || true
    } >"$out/perf-top.txt"
    rm -f "/tmp/perf-$pid.map"
fi

echo "perf stat: 3 s" >&2
if command -v perf >/dev/null; then
    perf stat -e task-clock,context-switches,cpu-migrations,page-faults -p "$pid" -o "$out/perf.txt" &
    perf_pid=$!
    run "$@" -d 3 -w 0 >"$out/loadgen-perf.txt"
    kill -INT "$perf_pid"; wait "$perf_pid" || true
    echo "ops: $(sed -n 's/.*total_ops=\([0-9]*\).*/\1/p' "$out/loadgen-perf.txt")" >>"$out/perf.txt"
fi

echo "strace -c: 3 s" >&2
strace -c -f -p "$pid" -o "$out/strace.txt" &
st_pid=$!
sleep 0.5
run "$@" -d 3 -w 0 >"$out/loadgen-strace.txt"
kill -INT "$st_pid"; wait "$st_pid" || true
st_ops=$(sed -n 's/.*total_ops=\([0-9]*\).*/\1/p' "$out/loadgen-strace.txt")
calls=$(awk '$NF == "total" {print $4}' "$out/strace.txt")
echo "syscalls: $calls for $st_ops ops under strace (includes the 0.5 s before and after)" | tee -a "$out/strace.txt"

/usr/bin/python3 "$root/bench/e2e/jfrtop.py" "$out/omnibus.jfr" ${ops:+--ops "$ops"} | tee "$out/jfrtop.txt"
echo "profile: $out" >&2

#!/usr/bin/env bash
# Raw echo through the transport's EventLoop vs a plain blocking C echo server, same C client,
# same unix socket setup, one run. Usage: bench/scripts/transport-echo.sh [seconds-per-case]
# Needs gcc and JDK 25 (JAVA_HOME or /usr/lib/jvm/temurin-25-jdk-amd64). Builds only transport.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-3}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

gcc -O2 -pthread -o "$WORK/echo" bench/scripts/transport-echo.c
mvn -q -B -o -pl transport compile 2>/dev/null
"$JAVA_HOME/bin/javac" -d "$WORK/classes" -cp transport/target/classes \
    bench/src/main/java/dev/omnibus/bench/transport/EchoServer.java
CP="transport/target/classes:$WORK/classes"

cases=("stream 4096" "stream 65536" "pingpong 128" "pingpong 4096")
echo "# $(uname -r), $(nproc) cpus, $($JAVA_HOME/bin/java -version 2>&1 | head -1), ${SECS}s per case after 1s warm-up"

"$WORK/echo" server "$WORK/c.sock" & CPID=$!
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xms256m -cp "$CP" \
    dev.omnibus.bench.transport.EchoServer "$WORK/j.sock" > "$WORK/java.out" & JPID=$!
for _ in $(seq 100); do [[ -S "$WORK/c.sock" && -S "$WORK/j.sock" ]] && break; sleep 0.1; done

printf '%-16s %-22s %-22s\n' case "C blocking echo" "Java EventLoop echo"
for c in "${cases[@]}"; do
    set -- $c
    # the Java server gets one unmeasured run first so the JIT has compiled the echo path
    [[ $c == "stream 4096" ]] && "$WORK/echo" client "$WORK/j.sock" stream 4096 2 > /dev/null
    cres=$("$WORK/echo" client "$WORK/c.sock" "$1" "$2" "$SECS" | awk '{print $3}')
    jres=$("$WORK/echo" client "$WORK/j.sock" "$1" "$2" "$SECS" | awk '{print $3}')
    printf '%-16s %-22s %-22s\n' "$1 $2" "$cres" "$jres"
done
kill "$CPID" "$JPID"
wait 2>/dev/null || true

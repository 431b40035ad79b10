# Shared by the launchers: find a JDK 25+, build the jars when they are missing.
# Sourced, not run. Sets OMNIBUS_ROOT and JAVA_HOME/JAVA.

# The launchers start with a resolved absolute path to this file (readlink -f): no further forks.
case ${BASH_SOURCE[0]} in
  /*/bin/lib/common.sh) OMNIBUS_ROOT=${BASH_SOURCE[0]%/bin/lib/common.sh} ;;
  *) OMNIBUS_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd) ;;
esac

# Sets OMNIBUS_JDK_VERSION to the feature version (e.g. 25) of the JDK at $1, or to nothing.
# Bash builtins only: the launchers run before every daemon start, and each fork costs start-up.
omnibus_jdk_version() {
  local line v
  OMNIBUS_JDK_VERSION=
  [ -r "$1/release" ] || return 0
  while IFS= read -r line; do
    case $line in
      JAVA_VERSION=\"*)
        v=${line#JAVA_VERSION=\"}
        v=${v%%[!0-9]*}
        OMNIBUS_JDK_VERSION=$v
        return 0 ;;
    esac
  done <"$1/release"
}

omnibus_find_jdk() {
  local cand v
  if [ -n "${JAVA_HOME:-}" ]; then
    omnibus_jdk_version "$JAVA_HOME"; v=$OMNIBUS_JDK_VERSION
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then JAVA="$JAVA_HOME/bin/java"; return 0; fi
  fi
  for cand in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -x "$cand/bin/java" ] || continue
    omnibus_jdk_version "$cand"; v=$OMNIBUS_JDK_VERSION
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      export JAVA_HOME="$cand"; JAVA="$cand/bin/java"; return 0
    fi
  done
  echo "omnibus: no JDK 25 or newer found (set JAVA_HOME, or install one under /usr/lib/jvm)" >&2
  exit 1
}

# Builds the project's jars (no tests) if $1 is missing. Output goes to a log file so that the
# launcher works with stdout/stderr closed or redirected (dbus-run-session, --fork).
omnibus_ensure_built() {
  local jar=$1
  [ -f "$jar" ] && return 0
  local log="$OMNIBUS_ROOT/target/launcher-build.log"
  mkdir -p "$OMNIBUS_ROOT/target"
  (
    flock 9
    [ -f "$jar" ] && exit 0
    if ! (cd "$OMNIBUS_ROOT" && mvn -q -B -DskipTests -Dmaven.javadoc.skip=true package) >"$log" 2>&1 </dev/null; then
      echo "omnibus: build failed, see $log" >&2
      exit 1
    fi
  ) 9>"$OMNIBUS_ROOT/target/.build.lock"
}

# JVM options for a long-running system daemon: small heap, serial GC (one bus thread,
# nothing to gain from parallel collectors on 2 cores), native access for java.lang.foreign.
# JVM log output (warnings, AOT cache errors) goes to stderr: stdout carries the bus address.
# No -Xshare:auto: it is the default, and naming it makes -XX:AOTCacheOutput refuse to start.
# Figures behind each choice: docs/PERFORMANCE.md, "start-up and memory".
OMNIBUS_DAEMON_JVM_OPTS=(
  --enable-native-access=ALL-UNNAMED
  -XX:+UseSerialGC
  -Xms16m
  -XX:-UsePerfData
  -XX:TieredStopAtLevel=4
  -Xlog:disable
  -Xlog:all=warning:stderr
)

# Sets OMNIBUS_AOT_OPTS to the JVM options that use the JDK 25 AOT cache of the daemon jar $1
# (${1%.jar}.aot, JEP 483/514): -XX:AOTCache=... when the cache was trained for this very jar
# (size, mtime) and this JVM, per its .stamp file; otherwise empty, and a training run
# (bin/lib/aot-train.sh) is started fully detached so that the next start finds the cache. The
# daemon starts the same either way, only slower without the cache. OMNIBUS_AOT=0 turns it off.
omnibus_aot_opts() {
  local jar=$1 cache="${1%.jar}.aot" want
  OMNIBUS_AOT_OPTS=()
  [ "${OMNIBUS_AOT:-1}" != 0 ] || return 0
  want="$JAVA $(stat -c '%s %Y' "$jar" 2>/dev/null)" || return 0
  local stamp=
  if [ -r "$cache.stamp" ]; then IFS= read -r stamp <"$cache.stamp" || true; fi
  if [ -f "$cache" ] && [ "$stamp" = "$want" ]; then
    OMNIBUS_AOT_OPTS=("-XX:AOTCache=$cache")
    return 0
  fi
  # Training needs a writable directory and dbus-send (the client that drives it).
  [ -w "$(dirname "$cache")" ] && command -v dbus-send >/dev/null 2>&1 || return 0
  # Double fork + setsid: not our child (the JVM exec'd in our place would inherit it), not in our
  # session, and no fd of ours held open (dbus-run-session reads our stdout until end-of-file).
  ( setsid "$OMNIBUS_ROOT/bin/lib/aot-train.sh" "$jar" "$cache" "$JAVA" "${OMNIBUS_DAEMON_JVM_OPTS[@]}" \
      </dev/null >/dev/null 2>&1 9>&- & ) </dev/null >/dev/null 2>&1
  return 0
}

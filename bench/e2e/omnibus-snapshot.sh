#!/bin/bash
# Usage: omnibus-snapshot.sh JAR [omnibus-daemon options]
# Runs the daemon exactly as bin/omnibus-daemon does (same JDK lookup, same JVM flags from
# bin/lib/common.sh, plus OMNIBUS_JVM_OPTS) but from JAR, a copy of daemon/target/omnibus.jar taken
# when the benchmark run started. Why: other builds in the same tree rewrite omnibus.jar in place;
# a running JVM then fails to load its next class (NoClassDefFoundError, the bus dies), and a run
# could mix two builds. A benchmark measures one fixed build.
set -e
self=$(readlink -f "$0"); . "${self%/bench/e2e/*}/bin/lib/common.sh"
jar=${1:?usage: omnibus-snapshot.sh JAR [options]}; shift
omnibus_find_jdk
opts=("${OMNIBUS_DAEMON_JVM_OPTS[@]}")
# -XX:AOTCacheOutput refuses any explicit -Xshare option; -Xshare:auto is the default anyway, so
# dropping it changes nothing else.
if [[ ${OMNIBUS_JVM_OPTS:-} == *-XX:AOTCache* ]]; then
    for i in "${!opts[@]}"; do [[ ${opts[$i]} == -Xshare:auto ]] && unset 'opts[i]'; done
fi
# The same AOT cache handling as the launcher: trained (detached) for the snapshot on first use.
omnibus_aot_opts "$jar"
exec "$JAVA" "${opts[@]}" "${OMNIBUS_AOT_OPTS[@]}" ${OMNIBUS_JVM_OPTS:-} -cp "$jar" dev.omnibus.daemon.Main "$@"

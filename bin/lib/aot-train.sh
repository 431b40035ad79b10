#!/usr/bin/env bash
# aot-train.sh JAR CACHE JAVA [JVM options...]
#
# Writes the JDK 25 AOT cache (JEP 483/514/515) for the daemon in JAR to CACHE: one training run
# with -XX:AOTCacheOutput that goes through the real start-up path (config parse, FFM linking,
# listen, bus construction), then serves a few real clients (SASL EXTERNAL, Hello, driver calls,
# a name, a match rule, a signal), then SIGTERM; the JVM writes the cache as it exits.
#
# Called by bin/lib/common.sh (omnibus_aot_opts), detached, when CACHE is missing or older than
# JAR; by hand to refresh it. Prints nothing on stdout. Exit 0 when CACHE was written. Only one
# training per CACHE at a time (flock on CACHE.lock; a second caller exits 0 at once).
# CACHE.stamp records the JAR and JAVA it was trained for (see omnibus_aot_opts).
set -u
jar=$1 cache=$2 java=$3
shift 3
exec 9>"$cache.lock" || exit 1
flock -n 9 || exit 0

# Identity of the jar before training: if a build rewrites it meanwhile, the stamp will not match
# and the next launch trains again.
stamp="$java $(stat -c '%s %Y' "$jar")" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/omnibus-aot.XXXXXX") || exit 1
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# A session-like configuration: the elements a real bus file has (policy, limits, includedir,
# service dirs), so that their classes are in the cache too.
conf=$tmp/bus.conf
cat >"$conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:tmpdir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <servicedir>$tmp/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
    <deny own="org.omnibus.aot.Denied"/>
  </policy>
  <includedir>$tmp/conf.d</includedir>
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_message_size">1000000000</limit>
  <limit name="auth_timeout">240000</limit>
</busconfig>
EOF
mkdir -p "$tmp/services" "$tmp/conf.d"
cat >"$tmp/conf.d/extra.conf" <<'EOF'
<busconfig>
  <policy user="root"><allow own="org.omnibus.aot.Root"/></policy>
</busconfig>
EOF

out="$cache.tmp.$$"
addr="unix:path=$tmp/bus"
"$java" "$@" -XX:AOTCacheOutput="$out" -cp "$jar" dev.omnibus.daemon.Main \
  --config-file="$conf" --address="$addr" --nofork --print-address=1 \
  >"$tmp/daemon.log" 2>&1 </dev/null &
pid=$!

call() { dbus-send --bus="$addr" --print-reply "$@" >/dev/null 2>&1; }
ready=
for _ in $(seq 300); do
  if [ -S "$tmp/bus" ] && call --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetId; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.02
done
if [ -n "$ready" ]; then
  D=(--dest=org.freedesktop.DBus /org/freedesktop/DBus)
  for _ in 1 2 3; do
    call "${D[@]}" org.freedesktop.DBus.ListNames
    call "${D[@]}" org.freedesktop.DBus.NameHasOwner string:org.omnibus.aot.Nobody
    call "${D[@]}" org.freedesktop.DBus.GetNameOwner string:org.freedesktop.DBus
    call "${D[@]}" org.freedesktop.DBus.RequestName string:org.omnibus.aot.Name uint32:0
    call "${D[@]}" org.freedesktop.DBus.AddMatch string:"type='signal',interface='org.omnibus.Aot'"
    call "${D[@]}" org.freedesktop.DBus.GetConnectionUnixUser string:org.freedesktop.DBus
    call "${D[@]}" org.freedesktop.DBus.ListActivatableNames
    call "${D[@]}" org.freedesktop.DBus.Introspectable.Introspect
    call "${D[@]}" org.freedesktop.DBus.Properties.GetAll string:org.freedesktop.DBus
    call --dest=org.omnibus.aot.Nobody /x org.omnibus.Aot.Call
    dbus-send --bus="$addr" --type=signal /org/omnibus/Aot org.omnibus.Aot.Ping string:x >/dev/null 2>&1
  done
fi
kill -TERM "$pid" 2>/dev/null
wait "$pid"
pid=
if [ -n "$ready" ] && [ -s "$out" ]; then
  mv -f "$out" "$cache" && printf '%s\n' "$stamp" >"$cache.stamp" && exit 0
fi
rm -f "$out" "$out.config"
exit 1

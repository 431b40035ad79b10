#!/usr/bin/env bash
# dbus-installed-tests.sh: runs dbus's own installed tests (Debian package dbus-tests) first against
# /usr/bin/dbus-daemon, then against bin/omnibus-daemon, and compares.
#
# Which tests: the "*_with_config.test" variants under /usr/share/installed-tests/dbus/ (and its
# integration/ directory). They set DBUS_TEST_DATA/DBUS_TEST_EXEC, so they run a superset of the plain
# variants (which skip everything needing DBUS_TEST_DATA). The daemon under test is chosen by
# DBUS_TEST_DAEMON, which the tests exec with dbus-daemon's command line.
#
# Only some tests start a bus at all (DAEMON_TESTS below: found by running the whole suite with
# DBUS_TEST_DAEMON=/bin/false; every other test passed, so it exercises only libdbus). The library-only
# tests run once, against dbus-daemon's environment, and show "n/a" for Omnibus.
#
# Environment: run as root is fine and best (test-uid-permissions switches to uids 65534 and
# messagebus itself, and skips without root). Tests needing systemd or AppArmor skip themselves.
#
# Result per test: pass (exit 0, at least one "ok" that is not "# SKIP"), skip (exit 0 and everything
# skipped, or exit 77), fail (anything else, including the timeout).
#
# Exit status: non-zero only if a test that passes against dbus-daemon fails against Omnibus and is
# not listed in installed-tests.known-failures.
#
# Knobs: INSTALLED_TESTS_TIMEOUT (seconds per test, default 240), INSTALLED_TESTS_JOBS (parallel
# tests, default 4), OMNIBUS_DAEMON (default <repo>/bin/omnibus-daemon), INSTALLED_TESTS_LOGS
# (log directory, default a fresh temp dir, printed), INSTALLED_TESTS_ONLY (space-separated names).
set -u

here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
root="$(cd "$here/.." && pwd)"
tests_dir=/usr/share/installed-tests/dbus
timeout_s="${INSTALLED_TESTS_TIMEOUT:-240}"
jobs="${INSTALLED_TESTS_JOBS:-4}"
omnibus="${OMNIBUS_DAEMON:-$root/bin/omnibus-daemon}"
reference=/usr/bin/dbus-daemon
known_file="$here/installed-tests.known-failures"
logs="${INSTALLED_TESTS_LOGS:-$(mktemp -d -t dbus-installed-tests.XXXXXX)}"
mkdir -p "$logs"

# Tests that start a bus through DBUS_TEST_DAEMON (see the header).
DAEMON_TESTS=" test-containers test-dbus-daemon test-dbus-daemon-eavesdrop test-dbus-daemon-fork.sh "
DAEMON_TESTS+="test-header-fields test-monitor test-sd-activation test-uid-permissions transient-services.sh "

if [ ! -d "$tests_dir" ]; then
  echo "installed-tests: $tests_dir missing: apt-get install dbus-tests" >&2
  exit 2
fi

# run_one NAME TESTFILE DAEMON LOG: runs one test, writes "pass|skip|fail <ok>/<total>" to LOG.result.
run_one() {
  local name=$1 file=$2 daemon=$3 log=$4 exec_line rc ok notok skipped total verdict
  exec_line="$(sed -n 's/^Exec=//p' "$file" | head -1)"
  local work; work="$(mktemp -d -t dbus-it-work.XXXXXX)"
  local start=$SECONDS
  # Own session (setsid) so that the timeout kills the test's daemons and helpers too. The brace
  # group swallows bash's "Aborted" job notice: the verdict below reports it.
  { ( cd "$work" && unset DBUS_SESSION_BUS_ADDRESS DBUS_SESSION_BUS_PID DBUS_STARTER_ADDRESS \
      DBUS_STARTER_BUS_TYPE && export DBUS_TEST_DAEMON="$daemon" HOME="$work" TMPDIR="${TMPDIR:-/tmp}" \
      && exec timeout -k 10 "$timeout_s" setsid bash -c "$exec_line" ) >"$log" 2>&1 </dev/null; } 2>/dev/null
  rc=$?
  rm -rf "$work"
  ok=$(grep -Ec '^ok ' "$log"); notok=$(grep -Ec '^not ok ' "$log")
  skipped=$(grep -Eic '^ok .*# skip' "$log"); total=$((ok + notok))
  if [ $rc -eq 77 ] || { [ $rc -eq 0 ] && [ $notok -eq 0 ] && [ $ok -eq $skipped ]; }; then
    verdict=skip
  elif [ $rc -eq 0 ] && [ $notok -eq 0 ]; then
    verdict=pass
  elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    verdict="fail(timeout)"
  else
    verdict="fail(rc=$rc)"
  fi
  echo "$verdict $((ok - skipped))/$total $((SECONDS - start))s" >"$log.result"
}
export -f run_one
export timeout_s

files=()
for f in "$tests_dir"/*_with_config.test "$tests_dir"/integration/*_with_config.test; do
  [ -e "$f" ] || continue
  n="$(basename "$f" _with_config.test)"
  if [ -n "${INSTALLED_TESTS_ONLY:-}" ] && [[ " $INSTALLED_TESTS_ONLY " != *" $n "* ]]; then continue; fi
  files+=("$f")
done

suite_start=$SECONDS
# Pass 1: everything against dbus-daemon. Pass 2: the bus tests against Omnibus.
{
  for f in "${files[@]}"; do
    n="$(basename "$f" _with_config.test)"
    printf '%s\0%s\0%s\0%s\0' "$n" "$f" "$reference" "$logs/$n.dbus-daemon.log"
  done
  for f in "${files[@]}"; do
    n="$(basename "$f" _with_config.test)"
    [[ "$DAEMON_TESTS" == *" $n "* ]] || continue
    printf '%s\0%s\0%s\0%s\0' "$n" "$f" "$omnibus" "$logs/$n.omnibus.log"
  done
} | xargs -0 -n 4 -P "$jobs" bash -c 'run_one "$@"' run_one

known_reason() { # prints the reason if $1 is listed in the known-failures file
  [ -f "$known_file" ] || return 1
  awk -v t="$1" '$1 == t { sub(/^[^#]*#? */, ""); print; found = 1 } END { exit !found }' \
    "$known_file"
}

passed=0; failed=0; skipped=0; regressions=0; known=0; ref_pass=0; ref_fail=0; ref_skip=0
printf '%-32s %-28s %-28s %s\n' TEST DBUS-DAEMON OMNIBUS NOTE
for f in "${files[@]}"; do
  n="$(basename "$f" _with_config.test)"
  ref="$(cat "$logs/$n.dbus-daemon.log.result" 2>/dev/null || echo 'fail(no result)')"
  note=""
  case "$ref" in pass*) ref_pass=$((ref_pass + 1)) ;; skip*) ref_skip=$((ref_skip + 1)) ;; *) ref_fail=$((ref_fail + 1)) ;; esac
  if [[ "$DAEMON_TESTS" != *" $n "* ]]; then
    omni="n/a (no bus)"
  else
    omni="$(cat "$logs/$n.omnibus.log.result" 2>/dev/null || echo 'fail(no result)')"
    case "$ref" in
      pass*)
        case "$omni" in
          pass*)
            passed=$((passed + 1))
            if known_reason "$n" >/dev/null; then note="passes: remove from known-failures"; fi ;;
          *)
            failed=$((failed + 1))
            if reason="$(known_reason "$n")"; then known=$((known + 1)); note="known: $reason"
            else regressions=$((regressions + 1)); note="REGRESSION (log: $logs/$n.omnibus.log)"; fi ;;
        esac ;;
      *) skipped=$((skipped + 1)); omni="skip (ref: ${ref%% *})"; ref="skip (${ref%% *})" ;;
    esac
  fi
  printf '%-32s %-28s %-28s %s\n' "$n" "$ref" "$omni" "$note"
done
echo
echo "dbus-daemon: $ref_pass passed, $ref_fail failed, $ref_skip skipped (all tests, library-only included)"
echo "omnibus: bus tests: $passed passed, $failed failed ($known known, $regressions unexpected), $skipped skipped"
echo "logs: $logs; wall time: $((SECONDS - suite_start))s"
echo "installed-tests: $passed passed, $failed failed"
[ $regressions -eq 0 ]

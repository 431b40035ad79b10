#!/usr/bin/python3
"""Where the Omnibus daemon's resident memory is: VmRSS by mapping (libjvm, the AOT cache, malloc
arenas, the Java heap...), fresh and after N idle Hello'd connections, with the growth per connection.

    bench/e2e/rss-map.py [--jar JAR] [--conns 1000] [--top 12]

JAR defaults to a copy of daemon/target/omnibus.jar (run as bench/e2e/omnibus-snapshot.sh runs it, with
the launcher's JVM flags and AOT cache; the cache is trained first if missing). Anonymous mappings
are listed by address: 64 MiB-aligned ones are glibc malloc arenas (one per thread that allocates),
the one at 0x6..., 0x7... low addresses is the compressed-oops Java heap."""
import argparse, collections, os, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import rawbus  # noqa: E402


def by_mapping(pid):
    rss, cur = collections.Counter(), None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if ":" not in fields[0] or not fields[0][0].isupper():   # a mapping's header line
                name = os.path.basename(fields[5]) if len(fields) > 5 else ""
                cur = ("anon " + fields[0]) if not name else ("AOT cache" if name.endswith(".aot") else name)
            elif fields[0] == "Rss:":
                rss[cur] += int(fields[1])
    return rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar")
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--top", type=int, default=12)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="omnibus-rss-")
    jar = a.jar
    if not jar:
        jar = os.path.join(tmp, "omnibus.jar")
        shutil.copy(os.path.join(ROOT, "daemon/target/omnibus.jar"), jar)
        subprocess.run(["bash", "-c", f'. "{ROOT}/bin/lib/common.sh"; omnibus_find_jdk; '
                        f'"{ROOT}/bin/lib/aot-train.sh" "{jar}" "{jar[:-4]}.aot" "$JAVA" "${{OMNIBUS_DAEMON_JVM_OPTS[@]}}"'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = os.path.join(tmp, "bus.sock")
    conf = os.path.join(ROOT, "..", "shared", "bench", "bus.conf")
    if not os.path.exists(conf):
        conf = os.path.join(tmp, "bus.conf")
        with open(conf, "w") as f:
            f.write('<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen><auth>EXTERNAL</auth>'
                    '<policy context="default"><allow send_destination="*" eavesdrop="true"/>'
                    '<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>')
    p = subprocess.Popen([os.path.join(HERE, "omnibus-snapshot.sh"), jar, f"--config-file={conf}",
                          f"--address=unix:path={sock}", "--nofork"])
    try:
        deadline = time.time() + 30
        while True:
            try:
                rawbus.RawBus(sock).hello().close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.01)
        time.sleep(0.5)
        fresh = by_mapping(p.pid)
        conns = [rawbus.RawBus(sock).hello() for _ in range(a.conns)]
        time.sleep(0.5)
        loaded = by_mapping(p.pid)
        print(f"{'mapping':34s} {'fresh':>8s} {'loaded':>8s}  growth per connection")
        for k in sorted(set(fresh) | set(loaded), key=lambda k: -loaded[k])[:a.top]:
            print(f"{k:34s} {fresh[k] / 1024:6.1f} M {loaded[k] / 1024:6.1f} M  {(loaded[k] - fresh[k]) / a.conns:+6.2f} KiB")
        print(f"{'total':34s} {sum(fresh.values()) / 1024:6.1f} M {sum(loaded.values()) / 1024:6.1f} M  "
              f"{(sum(loaded.values()) - sum(fresh.values())) / a.conns:+6.2f} KiB  ({a.conns} connections)")
        for c in conns:
            c.close()
    finally:
        p.terminate()
        p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""End-to-end scenarios the shared harness (../shared/bench) lacks, run against every daemon
in one run, interleaved per repetition (order rotated), like the harness does.

  matchrules  broadcast-64 (1 emitter -> 4 subscribers, loadgen broadcast) while 10 holder
              connections have 10 or 10 000 non-matching rules installed in total:
              delivered signals/s at each level, ratio 10k/10.
  fanout      loadgen broadcast, 1 emitter -> 100 subscribers, 64 B: delivered signals/s.
  startup     exec the daemon command, poll connect+SASL+Hello every 1 ms: time to the first
              successful Hello.  Then, on the same fresh daemon: RSS (sum of VmRSS over the
              daemon's processes) before and after opening 1000 idle Hello'd connections.

Daemons are given as in the harness (--daemon NAME='COMMAND' or a builtin name) and started
with the harness's own Daemon class (bench.py), so placeholders, readiness and cleanup are
identical.  Output: extra.jsonl (one JSON object per measurement) in --out.
"""
import argparse, json, os, resource, signal, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rawbus  # noqa: E402

SIG_IFACE, SIG_PATH = "org.bench.Sig", "/org/bench/Sig"   # what loadgen broadcast emits (loadgen.c)
HOLDERS = 10                                               # connections that hold the idle rules
# The wrapper that stands in for systemd around dbus-broker is not part of the daemon: its
# processes are left out of RSS sums (they are reported separately).
WRAPPER_COMMS = {"python3", "unshare"}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def rule(i):
    """The i-th non-matching rule: a realistic mix of what desktop clients install (signals
    of one interface, one object path, one sender).  None matches org.bench.Sig.Sig on
    /org/bench/Sig from the emitter."""
    k = i % 4
    if k == 0:
        return f"type='signal',interface='{SIG_IFACE}',member='Other{i}'"
    if k == 1:
        return f"type='signal',path='/org/bench/other/o{i}'"
    if k == 2:
        return f"type='signal',interface='org.bench.Other{i}'"
    return f"type='signal',sender='org.bench.NoOwner{i}',member='Sig'"


def proc_rss(pids):
    """{pid: (comm, VmRSS kB)} for live pids."""
    out = {}
    for p in pids:
        try:
            with open(f"/proc/{p}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{p}/status") as f:
                kb = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            out[p] = (comm, kb)
        except (OSError, StopIteration):
            pass
    return out


class Extra:
    def __init__(self, a, bench):
        self.a, self.bench = a, bench
        self.out = open(os.path.join(a.out, "extra.jsonl"), "a")
        self.rundir = f"/tmp/omnibus-e2e-{os.getpid()}"
        os.makedirs(self.rundir, exist_ok=True)
        self.specs = []
        for spec in a.daemon:
            name, _, cmd = spec.partition("=")
            self.specs.append((name, cmd or bench.BUILTIN[name]))

    def record(self, r):
        r["time"] = time.time()
        self.out.write(json.dumps(r) + "\n")
        self.out.flush()
        if self.a.verbose:
            log("  " + " ".join(f"{k}={v}" for k, v in r.items() if k not in ("time", "procs")))

    def idle(self):
        w = self.bench.wait_idle(10, sample=0.05)
        if w > 1:
            log(f"[wait] machine busy; waited {w:.1f}s")

    def daemon(self, name, cmd):
        return self.bench.Daemon(name, cmd, self.rundir, "", self.a.out)

    def broadcast(self, d, k, dur, warm):
        cmd = [self.bench.LOADGEN, "broadcast", "-a", d.addr, "-s", "64", "-k", str(k),
               "-d", str(dur), "-w", str(warm)]
        c0, t0 = d.cpu(), time.time()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60 + 2 * (dur + warm))
        wall = time.time() - t0
        lines = [l for l in r.stdout.splitlines() if l.startswith("RESULT")]
        if r.returncode or not lines:
            return {"error": f"loadgen broadcast rc={r.returncode}: {r.stderr.strip()[-300:]}"}
        kv = self.bench.parse_kv(lines[-1])
        res = {"rate": kv["rate"], "ok": kv.get("ok"), "lost": kv.get("lost")}
        cpu = d.cpu() - c0
        res["daemon_cpu_pct"] = 100 * cpu / wall
        if kv.get("total_ops"):
            res["daemon_us_per_op"] = 1e6 * cpu / kv["total_ops"]
        return res

    def matchrules(self, d, level, dur, warm):
        holders, errors = [], 0
        try:
            per = [level // HOLDERS + (1 if h < level % HOLDERS else 0) for h in range(HOLDERS)]
            i = 0
            t0 = time.time()
            for n in per:
                c = rawbus.RawBus(d.sock).hello()
                holders.append(c)
                errors += c.add_matches([rule(j) for j in range(i, i + n)])
                i += n
            install_s = time.time() - t0
            if errors:
                return {"error": f"{errors} of {level} AddMatch calls failed"}
            self.idle()
            res = self.broadcast(d, 4, dur, warm)
            res["install_s"] = install_s
            return res
        except OSError as e:
            return {"error": f"rule holders: {e}"}
        finally:
            for c in holders:
                c.close()

    def throughput(self, reps, dur, warm, warmup_pass):
        ds = [self.daemon(n, c) for n, c in self.specs]
        try:
            for d in ds:
                d.start()
            log("[warm-up] matchrules and fanout, untimed")
            for d in ds:
                self.matchrules(d, 10, warmup_pass, 0.1)
                self.matchrules(d, 10000, warmup_pass, 0.1)
                self.broadcast(d, 100, warmup_pass, 0.1)
            for rep in range(reps):
                log(f"[rep {rep + 1}/{reps}] matchrules, fanout")
                order = ds[rep % len(ds):] + ds[:rep % len(ds)]
                for d in order:
                    levels = (10, 10000) if rep % 2 == 0 else (10000, 10)
                    for level in levels:
                        self.idle()
                        r = self.matchrules(d, level, dur, warm)
                        self.record(dict(scenario="matchrules", target=d.name, rules=level, rep=rep, **r))
                for d in order:
                    self.idle()
                    r = self.broadcast(d, 100, dur, warm)
                    self.record(dict(scenario="fanout-100", target=d.name, rep=rep, **r))
        finally:
            for d in ds:
                d.stop()

    def rss(self, d):
        procs = proc_rss(self.bench.session_pids(d.proc.pid))
        kb = sum(v[1] for v in procs.values() if v[0] not in WRAPPER_COMMS)
        return kb, {str(p): v for p, v in procs.items()}

    def startup(self, reps, conns):
        for rep in range(reps):
            log(f"[rep {rep + 1}/{reps}] startup, idle connections")
            order = self.specs[rep % len(self.specs):] + self.specs[:rep % len(self.specs)]
            for name, cmd in order:
                self.idle()
                d = self.daemon(name, cmd)
                res = {"scenario": "startup", "target": name, "rep": rep}
                try:
                    res.update(self.start_timed(d))
                    if "error" not in res and conns:
                        res.update(self.idle_conns(d, conns))
                except OSError as e:
                    res["error"] = str(e)
                finally:
                    d.stop()
                self.record(res)

    def start_timed(self, d):
        """Like Daemon.start, but timed from exec to the first Hello reply, polling every 1 ms."""
        logf = open(os.path.join(self.a.out, d.name + "-startup.log"), "ab")
        t0 = time.perf_counter()
        d.proc = subprocess.Popen(["bash", "-c", "exec " + d.cmd], stdout=logf, stderr=logf,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
        while time.perf_counter() - t0 < 60:
            try:
                rawbus.RawBus(d.sock, timeout=60).hello().close()
                return {"ready_ms": 1e3 * (time.perf_counter() - t0)}
            except OSError:
                if d.proc.poll() is not None:
                    return {"error": f"exited with {d.proc.returncode}, see {logf.name}"}
                time.sleep(0.001)
        return {"error": "not ready within 60 s"}

    def idle_conns(self, d, n):
        time.sleep(self.a.settle)
        before, _ = self.rss(d)
        cs = []
        try:
            for _ in range(n):
                cs.append(rawbus.RawBus(d.sock).hello())
            time.sleep(self.a.settle)
            after, procs = self.rss(d)
            c0 = d.cpu()
            time.sleep(1.0)
            idle_cpu = d.cpu() - c0
            return {"rss_before_kb": before, "rss_after_kb": after, "conns": n,
                    "idle_cpu_pct": 100 * idle_cpu, "procs": procs}
        finally:
            for c in cs:
                c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--harness", required=True, help="directory of the shared harness (bench.py)")
    ap.add_argument("--daemon", action="append", required=True, metavar="NAME[=COMMAND]")
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--duration", type=float, default=1.0)
    ap.add_argument("--warm", type=float, default=0.2)
    ap.add_argument("--warmup-pass", type=float, default=2.0)
    ap.add_argument("--startup-reps", type=int, default=7)
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--settle", type=float, default=0.5, help="seconds before an RSS reading")
    ap.add_argument("--only", choices=["throughput", "startup"])
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    sys.path.insert(0, a.harness)
    import bench
    if not os.access(bench.LOADGEN, os.X_OK):
        sys.exit(f"loadgen not built at {bench.LOADGEN} (set BENCH_LOADGEN)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < a.conns + 64:
        sys.exit(f"RLIMIT_NOFILE hard limit {hard} is below {a.conns} connections")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    os.makedirs(a.out, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    x = Extra(a, bench)
    if a.only != "startup":
        x.throughput(a.reps, a.duration, a.warm, a.warmup_pass)
    if a.only != "throughput":
        x.startup(a.startup_reps, a.conns)


if __name__ == "__main__":
    main()

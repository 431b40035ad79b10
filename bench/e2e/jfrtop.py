#!/usr/bin/python3
"""Summarises a JFR recording of the daemon: where the bus thread spends its samples and what it
allocates.

Usage: jfrtop.py RECORDING.jfr [--ops N] [--top 15]
Prints, from jdk.ExecutionSample: the top leaf frames (self time) and the top dev.omnibus frames
(the first Omnibus frame on each stack: which of our methods the time is spent under, inclusive
of JDK code it calls); from jdk.ObjectAllocationSample: the allocation rate in bytes/s (sum of
sample weights over the recording's span) and the top allocating frames and classes; with --ops,
bytes per operation.
"""
import argparse, collections, json, os, subprocess, sys


def frames(ev):
    st = ev.get("values", {}).get("stackTrace") or {}
    return st.get("frames") or []


def name(fr):
    m = fr.get("method", {})
    t = m.get("type", {}).get("name", "?").replace("/", ".")
    return f"{t.rsplit('.', 1)[-1]}.{m.get('name', '?')}:{fr.get('lineNumber', '?')}", t


def ours(fs, depth=3):
    """The first `depth` Omnibus frames of a stack, innermost first, joined by ' < '."""
    own = [name(f)[0] for f in fs if name(f)[1].startswith("dev.omnibus")][:depth]
    return " < ".join(own) if own else "(no Omnibus frame)"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jfr")
    ap.add_argument("--ops", type=float, help="operations during the recording (for B/op)")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--thread", default=None, help="only samples of threads whose name contains this")
    a = ap.parse_args()
    jfr = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jfr")
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events",
                          "jdk.ExecutionSample,jdk.ObjectAllocationSample", a.jfr],
                         capture_output=True, text=True, check=True).stdout
    evs = json.loads(out)["recording"]["events"]
    samples = [e for e in evs if e["type"] == "jdk.ExecutionSample"]
    if a.thread:
        samples = [e for e in samples if a.thread in (e["values"].get("sampledThread") or {}).get("javaName", "")]
    threads = collections.Counter((e["values"].get("sampledThread") or {}).get("javaName", "?") for e in samples)
    leaf, mine, chains = collections.Counter(), collections.Counter(), collections.Counter()
    for e in samples:
        fs = frames(e)
        if not fs:
            continue
        leaf[name(fs[0])[0]] += 1
        mine[ours(fs, 1)] += 1
        chains[ours(fs)] += 1
    n = max(1, len(samples))
    print(f"{len(samples)} execution samples; threads: " + ", ".join(f"{t} {c}" for t, c in threads.most_common(5)))
    print(f"\ntop self frames (share of samples):")
    for f, c in leaf.most_common(a.top):
        print(f"  {100 * c / n:5.1f}%  {f}")
    print(f"\ntop first-Omnibus frames (inclusive of JDK code below them):")
    for f, c in mine.most_common(a.top):
        print(f"  {100 * c / n:5.1f}%  {f}")
    print(f"\ntop Omnibus call chains (3 innermost Omnibus frames):")
    for f, c in chains.most_common(a.top):
        print(f"  {100 * c / n:5.1f}%  {f}")

    allocs = [e for e in evs if e["type"] == "jdk.ObjectAllocationSample"]
    if allocs:
        def ts(e):
            return e["values"]["startTime"]
        import datetime
        t = sorted(datetime.datetime.fromisoformat(ts(e).replace("Z", "+00:00")) for e in allocs)
        span = max(1e-3, (t[-1] - t[0]).total_seconds())
        total = sum(e["values"].get("weight", 0) for e in allocs)
        by_class, by_frame = collections.Counter(), collections.Counter()
        for e in allocs:
            w = e["values"].get("weight", 0)
            by_class[(e["values"].get("objectClass") or {}).get("name", "?")] += w
            fs = frames(e)
            by_frame[(name(fs[0])[0] + " in " if fs else "") + ours(fs)] += w
        print(f"\nallocation: {total / span / 1e6:.2f} MB/s over {span:.1f} s ({len(allocs)} samples)"
              + (f", {total / a.ops:.1f} B/op" if a.ops else ""))
        for c, w in by_class.most_common(8):
            print(f"  {100 * w / max(1, total):5.1f}%  {c}")
        print("  by allocating frame in Omnibus call chain:")
        for f, w in by_frame.most_common(8):
            print(f"  {100 * w / max(1, total):5.1f}%  {f}")
    else:
        print("\nno allocation samples")


if __name__ == "__main__":
    main()

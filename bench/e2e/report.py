#!/usr/bin/python3
"""Turns one end-to-end run into ratios.md (Omnibus / dbus-daemon, Omnibus / dbus-broker, each
target of issue #6 with pass/miss) and chart.png (matplotlib; skipped with a message if missing).

Usage: report.py RESULTS_DIR [--subject omnibus]
RESULTS_DIR holds harness/<stamp>/raw.jsonl (../shared/bench/run.sh) and extra.jsonl (extra.py).
All figures are medians over repetitions; a ratio is a ratio of medians.
"""
import argparse, glob, json, os, statistics, sys

HIGHER, LOWER = "higher", "lower"
# (key, label, metric, better, target vs dbus-broker or None, absolute target or None)
ROWS = [
    ("pingpong-64", "pingpong-64 calls/s", "rate", HIGHER, 1.2, None),
    ("pingpong-64:p50", "pingpong-64 p50 latency", "p50_us", LOWER, 1.0, None),
    ("pingpong-4k", "pingpong-4k calls/s", "rate", HIGHER, None, None),
    ("pingpong-64k", "pingpong-64k calls/s", "rate", HIGHER, None, None),
    ("pipeline-64", "pipeline-64 calls/s", "rate", HIGHER, 4.0, None),
    ("pipeline-4k", "pipeline-4k calls/s", "rate", HIGHER, 3.0, None),
    ("pipeline-64k", "pipeline-64k calls/s", "rate", HIGHER, 1.5, None),
    ("pipeline-64:cpu", "daemon CPU per pipelined call (64 B)", "daemon_us_per_op", LOWER, 0.3, None),
    ("broadcast-64", "broadcast-64 deliv/s", "rate", HIGHER, 2.5, None),
    ("broadcast-4k", "broadcast-4k deliv/s", "rate", HIGHER, 1.5, None),
    ("connect", "connect conn/s", "rate", HIGHER, 1.0, None),
    ("dtt-spam-q1", "dtt-spam-q1 calls/s", "rate", HIGHER, None, None),
    ("dtt-spam-q64", "dtt-spam-q64 calls/s", "rate", HIGHER, None, None),
    ("fanout-100", "fan-out 100 subscribers deliv/s", "rate", HIGHER, None, None),
    ("matchrules-10", "broadcast-64 with 10 rules deliv/s", "rate", HIGHER, None, None),
    ("matchrules-10000", "broadcast-64 with 10k rules deliv/s", "rate", HIGHER, None, None),
    ("startup", "start to ready (ms)", "ready_ms", LOWER, None, 150.0),
    ("idle-rss", "RSS with 1000 idle connections (MiB)", "rss_after_mib", LOWER, 3.0, None),
]


def load(resdir):
    recs = []
    for p in glob.glob(os.path.join(resdir, "harness", "*", "raw.jsonl")):
        with open(p) as f:
            recs += [json.loads(l) for l in f if l.strip()]
    p = os.path.join(resdir, "extra.jsonl")
    if os.path.exists(p):
        with open(p) as f:
            for l in f:
                r = json.loads(l)
                if r["scenario"] == "matchrules":
                    r["scenario"] = f"matchrules-{r['rules']}"
                if r["scenario"] == "startup" and "rss_after_kb" in r:
                    recs.append(dict(r, scenario="idle-rss", rss_after_mib=r["rss_after_kb"] / 1024,
                                     rss_before_mib=r["rss_before_kb"] / 1024))
                recs.append(r)
    return recs


def median(recs, scenario, target, metric):
    v = [r[metric] for r in recs if r["scenario"] == scenario and r["target"] == target
         and metric in r and "error" not in r]
    return statistics.median(v) if v else None


def fmt(v):
    if v is None:
        return "-"
    if v >= 1e6: return f"{v / 1e6:.2f}M"
    if v >= 1e4: return f"{v / 1e3:.0f}k"
    if v >= 100: return f"{v:.0f}"
    return f"{v:.2f}"


def table(recs, subject):
    """Rows of (label, daemon, broker, subject, subj/daemon, subj/broker, target text, verdict)."""
    out = []
    for key, label, metric, better, tgt, absolute in ROWS:
        sc = key.split(":")[0]
        m = {t: median(recs, sc, t, metric) for t in ("dbus-daemon", "dbus-broker", subject)}
        if m[subject] is None and m["dbus-broker"] is None:
            continue
        rd = m[subject] / m["dbus-daemon"] if m[subject] and m["dbus-daemon"] else None
        rb = m[subject] / m["dbus-broker"] if m[subject] and m["dbus-broker"] else None
        target, verdict = "", ""
        if tgt is not None and rb is not None:
            ok = rb >= tgt if better == HIGHER else rb <= tgt
            target = ("≥ " if better == HIGHER else "≤ ") + f"{tgt}× broker"
            verdict = "met" if ok else (f"missed: {rb / tgt:.2f} of target" if better == HIGHER
                                        else f"missed: {rb / tgt:.1f}× over")
        if absolute is not None and m[subject] is not None:
            ok = m[subject] <= absolute
            target = f"≤ {absolute:.0f}"
            verdict = "met" if ok else f"missed: {m[subject] / absolute:.1f}× over"
        out.append((label, m["dbus-daemon"], m["dbus-broker"], m[subject], rd, rb, target, verdict, better))
    # rule-count cost: 10k rules vs 10 rules, each daemon
    costs = {}
    for t in ("dbus-daemon", "dbus-broker", subject):
        a, b = median(recs, "matchrules-10", t, "rate"), median(recs, "matchrules-10000", t, "rate")
        costs[t] = a / b if a and b else None
    return out, costs


def write_md(resdir, rows, costs, subject):
    L = [f"Ratios of medians: {subject} / dbus-daemon and {subject} / dbus-broker "
         "(for rates > 1 is better; for latency, CPU, time and RSS < 1 is better).", "",
         f"| metric | dbus-daemon | dbus-broker | {subject} | ÷ dbus-daemon | ÷ dbus-broker | target | verdict |",
         "|---|---|---|---|---|---|---|---|"]
    for label, d, b, s, rd, rb, tgt, verdict, _ in rows:
        L.append(f"| {label} | {fmt(d)} | {fmt(b)} | {fmt(s)} | "
                 f"{'-' if rd is None else f'{rd:.2f}×'} | {'-' if rb is None else f'{rb:.2f}×'} | {tgt} | {verdict} |")
    L += ["", "Cost of 10 000 non-matching rules (delivered/s with 10 rules ÷ with 10k; target ≤ 1.2 for "
          f"{subject}):", "", "| daemon | slowdown |", "|---|---|"]
    for t, c in costs.items():
        verdict = ""
        if t == subject and c is not None:
            verdict = " (met)" if c <= 1.2 else f" (missed: {c / 1.2:.2f}× over)"
        L.append(f"| {t} | {'-' if c is None else f'{c:.2f}×'}{verdict} |")
    text = "\n".join(L) + "\n"
    with open(os.path.join(resdir, "ratios.md"), "w") as f:
        f.write(text)
    return text


def chart(resdir, rows, subject):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: matplotlib missing, no chart (apt-get install -y python3-matplotlib)", file=sys.stderr)
        return None
    # Normalise so that > 1 always means "subject better", then plot on a log axis.
    rows = [r for r in rows if r[4] is not None or r[5] is not None]
    labels = [r[0] for r in rows]
    def good(r, x):
        return None if x is None else (x if r[8] == HIGHER else 1 / x)
    vd = [good(r, r[4]) or 1 for r in rows]
    vb = [good(r, r[5]) or 1 for r in rows]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.6))
    y = range(len(rows))
    ax.barh([i + 0.2 for i in y], [v - 1 for v in vd], left=1, height=0.4, label=f"{subject} vs dbus-daemon", color="#9ab")
    ax.barh([i - 0.2 for i in y], [v - 1 for v in vb], left=1, height=0.4, label=f"{subject} vs dbus-broker", color="#d62")
    for i, r in enumerate(rows):
        tgt = next((t for k, l, m, b, t, a in ROWS if l == r[0]), None)
        if tgt:
            t = tgt if r[8] == HIGHER else 1 / tgt
            ax.plot([t, t], [i - 0.45, i + 0.05], color="k", lw=2)
    ax.axvline(1, color="#444", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"{subject} advantage, × (log; > 1 = {subject} better; black tick = issue #6 target vs dbus-broker)",
                  fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Omnibus end-to-end, ratios of medians (one run, 2-core VM)", fontsize=10)
    fig.tight_layout()
    path = os.path.join(resdir, "chart.png")
    fig.savefig(path, dpi=110)
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("resdir")
    ap.add_argument("--subject", default="omnibus")
    a = ap.parse_args()
    recs = load(a.resdir)
    if not recs:
        sys.exit(f"report: no results under {a.resdir}")
    rows, costs = table(recs, a.subject)
    print(write_md(a.resdir, rows, costs, a.subject))
    p = chart(a.resdir, rows, a.subject)
    if p:
        print(f"chart: {p}")


if __name__ == "__main__":
    main()

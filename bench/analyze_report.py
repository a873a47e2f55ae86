"""analyze_report.py — turns the run folder of bench/analyze into the
"analyze" section of bench/RESULTS.md (replacing only that section).

    python3 bench/analyze_report.py RUNDIR RESULTS.md COMMAND CASE...

Each CASE is name:input_dir[:planted.csv]; RUNDIR/name/ holds, per tool
(harmony-compat, harmony-scale, sklearn), TOOL.json (stdout), TOOL.time
(/usr/bin/time -v) and TOOL.status ("ok", "timeout N", "exit N").
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ari  # noqa: E402

TOOLS = ("harmony-compat", "harmony-scale", "sklearn")


def read_time(path):
    """(wall seconds, peak RSS MB, CPU seconds) from /usr/bin/time -v."""
    wall = rss = None
    cpu = 0.0
    if not os.path.exists(path):
        return wall, rss, None
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                parts = line.rsplit(" ", 1)[1].split(":")
                secs = 0.0
                for p in parts:
                    secs = secs * 60 + float(p)
                wall = secs
            elif line.startswith("Maximum resident set size"):
                rss = int(line.rsplit(" ", 1)[1]) / 1024.0
            elif line.startswith(("User time", "System time")):
                cpu += float(line.rsplit(" ", 1)[1])
    return wall, rss, cpu


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def gac_of(blob):
    """statement id -> group-aware consensus from harmony's JSON."""
    for key in ("group-aware-consensus", "group_aware_consensus", "gac"):
        v = blob.get(key)
        if isinstance(v, dict):
            return {int(k): float(x) for k, x in v.items()}
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return {int(r.get("tid", r.get("id"))): float(r.get("value", r.get("gac")))
                    for r in v}
    return None


def common_on_top(blob, common):
    """"n/K" planted common-ground statements among the top K by GAC."""
    g = gac_of(blob) if blob else None
    if not g or not common:
        return "–"
    top = sorted(g, key=lambda t: (-g[t], t))[:len(common)]
    return "%d/%d" % (len(set(top) & set(common)), len(common))


def bridging_hits(blob, common):
    """"n/K +m": planted common ground labelled bridging, and how many
    other statements are."""
    br = blob.get("bridging") if blob else None
    st = br.get("statements") if isinstance(br, dict) else None
    if not isinstance(st, dict):
        return "–"
    labelled = {int(t) for t, v in st.items() if isinstance(v, dict) and v.get("bridging")}
    if not common:
        fitted = sum(1 for v in st.values() if isinstance(v, dict) and v.get("fitted"))
        return "%d of %d fitted" % (len(labelled), fitted)
    hit = len(labelled & set(common))
    return "%d/%d +%d" % (hit, len(common), len(labelled) - hit)


def status_of(case_dir, tool):
    p = os.path.join(case_dir, tool + ".status")
    if not os.path.exists(p):
        return None
    with open(p) as f:
        return f.read().strip()


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


def rows_for(rundir, name, input_dir, planted_path):
    case_dir = os.path.join(rundir, name)
    truth, common, truth_name = None, [], ""
    if planted_path:
        truth, common = ari.read_planted(planted_path)
        truth_name = "planted"
    elif os.path.exists(os.path.join(input_dir, "participants-votes.csv")):
        truth = ari.read_polis_groups(os.path.join(input_dir, "participants-votes.csv"))
        truth_name = "Pol.is"
    results = {}
    for tool in TOOLS:
        st = status_of(case_dir, tool)
        if st is None:
            continue
        wall, rss, cpu = read_time(os.path.join(case_dir, tool + ".time"))
        blob = read_json(os.path.join(case_dir, tool + ".json")) if st == "ok" else None
        results[tool] = (st, wall, rss, blob, cpu)
    sk = results.get("sklearn")
    out = []
    shape = ""
    for tool, (st, wall, rss, blob, cpu) in results.items():
        info = None
        if blob and tool == "sklearn":
            info = (blob.get("participants"), blob.get("statements"), blob.get("votes"))
        elif blob and isinstance(blob.get("harmony"), dict):
            h = blob["harmony"]
            info = (h.get("participants"), h.get("statements"), h.get("votes"))
        if info and None not in info:
            shape = "%s × %s, %s votes" % info
            break
    for tool, (st, wall, rss, blob, cpu) in results.items():
        a, k, top, br, note = None, None, "–", "–", ""
        if blob is not None:
            try:
                if tool == "sklearn":
                    k = blob.get("k")
                    a = blob.get("ari_planted", blob.get("ari_polis"))
                    sec = blob.get("seconds", {})
                    note = "stages: " + ", ".join(
                        "%s %.1f s" % (k_, sec[k_]) for k_ in ("read", "matrix", "pca", "kmeans")
                        if k_ in sec)
                    if blob.get("blas"):
                        note += "; BLAS " + blob["blas"]
                else:
                    groups = ari.harmony_groups(blob)
                    k = len(set(groups.values()))
                    if truth:
                        a = ari.ari(groups, truth)
                    top = common_on_top(blob, common)
                    br = bridging_hits(blob, common)
            except (KeyError, ValueError, TypeError) as e:
                st = "ok (unreadable output: %s)" % e
        ratio = "–"
        if tool != "sklearn" and sk and sk[0] == "ok" and wall and sk[1] and rss and sk[2]:
            ratio = "%.1f× time, %.1f× memory" % (sk[1] / wall, sk[2] / rss)
            if cpu and sk[4]:
                ratio += ", %.1f× CPU" % (sk[4] / cpu)
        if st != "ok":
            if st.startswith("timeout"):
                note = "did not finish within %s s" % st.split()[1]
            else:
                note = "did not finish: failed after %s s (%s): %s" % (
                    fmt(wall, ".0f"), st, last_error(case_dir, tool))
                if tool == "sklearn" and os.environ.get("BENCH_SK_MEM_GB"):
                    note += " (address space capped at %s GB; the machine has 24 GB)" % \
                        os.environ["BENCH_SK_MEM_GB"]
            out.append((tool, fmt(wall, ".2f"), fmt(cpu, ".2f"), fmt(rss, ".0f"), "–", "–", "–",
                        "–", "–", note))
        else:
            out.append((tool, fmt(wall, ".2f"), fmt(cpu, ".2f"), fmt(rss, ".0f"), ratio,
                        fmt(a, ".3f"), fmt(k, "d"), top, br, note))
    return shape, truth_name, out


def last_error(case_dir, tool):
    p = os.path.join(case_dir, tool + ".err")
    try:
        with open(p, errors="replace") as f:
            lines = [l.strip() for l in f if l.strip()]
    except OSError:
        return "no stderr"
    errs = [l for l in lines if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", l)]
    return (errs[-1] if errs else lines[-1] if lines else "no stderr")[:160]


def reps_of(rundir):
    """How many runs per tool the real exports had (bench/analyze REPS)."""
    for root, _, files in os.walk(rundir):
        for f in files:
            if f.endswith(".reps"):
                with open(os.path.join(root, f)) as fh:
                    return fh.read().strip()
    return "1"


def section(rundir, command, cases, machine):
    lines = ["## analyze", "",
             "`harmony analyze` against the scikit-learn Pol.is recipe "
             "(`bench/sklearn_pipeline.py`) on the same input in the same run. "
             "Wall time, CPU time (user + system) and peak RSS from `/usr/bin/time -v` "
             "(the machine is shared: CPU time is the steadier figure); the ratio is "
             "sklearn ÷ harmony. ARI is against the planted groups (synthetic) or "
             "Pol.is's own groups (real exports, over the participants both cluster; "
             "scikit-learn's groups there depend on its k-means++ seed, 0 here: the "
             "groups section below gives the spread over ten seeds). "
             "\"Common\" counts the planted common-ground statements among the top K "
             "of harmony's group-aware consensus (K = number planted); \"bridging\" how many of "
             "them harmony labels bridging, + how many other statements it labels. "
             "The sklearn runs use the BLAS numpy finds on the machine (shown per row); with "
             "Debian's reference BLAS (`blas/libblas.so.3`) its PCA is far slower than it "
             "would be on OpenBLAS, which was not measured. Each tool runs %s times on the "
             "real exports (they take 50 ms to 2 s, where one run is at the mercy of the "
             "machine's moment) and the run of median wall time is shown; the synthetic "
             "cases run once." % reps_of(rundir), "",
             "Command: `%s`" % command, "",
             "Run: %s" % machine, "",
             "| case | shape | tool | wall s | CPU s | peak MB | sklearn ÷ harmony | ARI | k "
             "| common | bridging | note |",
             "|---|---|---|---:|---:|---:|---|---:|---:|---|---|---|"]
    for c in cases:
        parts = c.split(":")
        name, input_dir = parts[0], parts[1]
        planted = parts[2] if len(parts) > 2 and parts[2] else None
        shape, truth_name, rows = rows_for(rundir, name, input_dir, planted)
        for tool, wall, cpu, rss, ratio, a, k, top, br, note in rows:
            label = "%s (vs %s)" % (a, truth_name) if a != "–" and truth_name else a
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, shape, tool, wall, cpu, rss, ratio, label, k, top, br, note))
    bs = read_json(os.path.join(rundir, "bridging_speed.json"))
    if bs:
        lines += ["", "Bridging factorisation alone (`bench/bridging_speed.c`, CSR built in "
                  "memory, %s ratings after the prefilter, %d sweeps): %.2f s wall, %.2f s CPU "
                  "per sweep (one sweep = one pass over the votes: each participant solved, then "
                  "its statements' sums); planted common ground "
                  "labelled bridging: %s, other statements labelled: %s." % (
                      bs["ratings"], bs["sweeps"], bs["s_per_sweep"], bs["cpu_s_per_sweep"],
                      bs["common_bridging"], bs["other_bridging"])]
    lv = read_json(os.path.join(rundir, "live_speed.json"))
    if lv:
        lines += ["", "Live updates (`bench/live_speed.c`, `analysis_live_*` as the web server will use "
                  "them, CSR of %s votes built in memory, %s × %s): first tick %.2f s wall (%.2f s CPU); "
                  "**%d new votes applied in one call in %.1f ms** (%.1f ms CPU); one vote per call "
                  "%.2f ms; the warm tick merging them %.2f s (%.2f s CPU); %d groups." % (
                      lv["votes"], lv["participants"], lv["statements"], lv["first_tick_s"],
                      lv["first_tick_cpu_s"], lv["batch"], lv["batch_ms"], lv["batch_cpu_ms"],
                      lv["single_ms"], lv["warm_tick_s"], lv["warm_tick_cpu_s"], lv["groups"])]
    return "\n".join(lines) + "\n"


def replace_section(path, text):
    """Replaces the "## analyze" section (up to the next "## " heading),
    or appends it; other sections are left as they are."""
    old = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
    if not old:
        old = "# Benchmarks\n\nLatest figures and how they were obtained.\n\n"
    m = re.search(r"^## analyze\s*$", old, re.M)
    if m:
        nxt = re.search(r"^## ", old[m.end():], re.M)
        end = m.end() + nxt.start() if nxt else len(old)
        new = old[:m.start()] + text + ("\n" if nxt else "") + old[end:]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    with open(path, "w") as f:
        f.write(new)


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    rundir, results, command = argv[1], argv[2], argv[3]
    # facts bench/analyze recorded when the run began (key=value lines);
    # the environment may set them too
    meta = os.path.join(rundir, "meta")
    if os.path.exists(meta):
        with open(meta) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                if k and k not in os.environ:
                    os.environ[k] = v
    machine = "%s, %d cores, load average at start %s" % (
        os.environ.get("BENCH_START", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        os.cpu_count() or 0, os.environ.get("BENCH_LOAD", "?"))
    if os.environ.get("BENCH_COMMIT"):
        machine += ", commit " + os.environ["BENCH_COMMIT"]
    if os.environ.get("BENCH_GEN"):
        machine += ". Generator (`bench/gen_synthetic.c`, cc -O2; wall time and peak RSS " \
            "to write the folder): " + os.environ["BENCH_GEN"]
    replace_section(results, section(rundir, command, argv[4:], machine))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

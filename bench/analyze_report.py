"""analyze_report.py — turns the run folder of bench/analyze into the
"analyze" section of bench/RESULTS.md (replacing only that section).

    python3 bench/analyze_report.py RUNDIR RESULTS.md COMMAND CASE...

Each CASE is name:input_dir[:planted.csv]; RUNDIR/name/ holds, per tool
(harmony-compat, harmony-scale, sklearn-arpack, sklearn-randomized,
sklearn-dense), TOOL.json (stdout), TOOL.time (/usr/bin/time -v),
TOOL.status ("ok", "timeout N", "exit N") and TOOL.load (the load average
when the run began); and check-dense.json (sklearn_pipeline.py
--check-dense) for the real exports. RUNDIR/meta holds what bench/analyze
recorded about the run (commit, date, load average at start and end).

The baseline of each case is the faster of sklearn-arpack and
sklearn-randomized (by the time after their imports). Every figure in the
section comes from RUNDIR; hand-written notes under "### Notes" in the
section are kept as they are.
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ari  # noqa: E402

TOOLS = ("harmony-compat", "harmony-scale", "sklearn-arpack", "sklearn-randomized", "sklearn-dense")
SPARSE = ("sklearn-arpack", "sklearn-randomized")
LABEL = {
    "sklearn-arpack": "sklearn sparse, arpack",
    "sklearn-randomized": "sklearn sparse, randomized",
    "sklearn-dense": "sklearn dense (earlier baseline)",
}


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


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def fmt(x, spec):
    return "–" if x is None else format(x, spec)


class Run:
    """One tool's run on one case."""

    def __init__(self, case_dir, tool):
        self.tool = tool
        self.status = status_of(case_dir, tool)
        self.wall, self.rss, self.cpu = read_time(os.path.join(case_dir, tool + ".time"))
        w = read_text(os.path.join(case_dir, tool + ".wall"))  # to the ms, where recorded
        if w:
            self.wall = float(w)
        self.blob = read_json(os.path.join(case_dir, tool + ".json")) if self.status == "ok" else None
        self.load = read_text(os.path.join(case_dir, tool + ".load"))
        self.timed, self.timed_cpu = self.wall, self.cpu
        if tool.startswith("sklearn"):
            sec = (self.blob or {}).get("seconds", {})
            self.timed = sec.get("work")
            self.timed_cpu = (self.blob or {}).get("cpu_work")

    @property
    def ok(self):
        return self.status == "ok" and self.blob is not None


def baseline_of(runs):
    """The faster of the sparse sklearn runs that finished, or None."""
    done = [runs[t] for t in SPARSE if t in runs and runs[t].ok and runs[t].timed]
    return min(done, key=lambda r: r.timed) if done else None


def ratio(num, den):
    return num / den if num and den else None


def rows_for(rundir, name, input_dir, planted_path):
    case_dir = os.path.join(rundir, name)
    truth, common, truth_name = None, [], ""
    if planted_path:
        truth, common = ari.read_planted(planted_path)
        truth_name = "planted"
    elif os.path.exists(os.path.join(input_dir, "participants-votes.csv")):
        truth = ari.read_polis_groups(os.path.join(input_dir, "participants-votes.csv"))
        truth_name = "Pol.is"
    runs = {t: Run(case_dir, t) for t in TOOLS if status_of(case_dir, t) is not None}
    base = baseline_of(runs)
    shape = ""
    for r in runs.values():
        info = None
        if r.blob and r.tool.startswith("sklearn"):
            info = (r.blob.get("participants"), r.blob.get("statements"), r.blob.get("votes"))
        elif r.blob and isinstance(r.blob.get("harmony"), dict):
            h = r.blob["harmony"]
            info = (h.get("participants"), h.get("statements"), h.get("votes"))
        if info and None not in info:
            shape = "%s × %s, %s votes" % info
            break
    out = []
    for tool, r in runs.items():
        a, k, top, br, note = None, None, "–", "–", ""
        st = r.status
        label = LABEL.get(tool, tool)
        if tool.startswith("sklearn"):
            if r is base:
                label = "**%s (baseline)**" % label
            elif tool in SPARSE and base is not None:
                note = "slower than %s here: not the baseline; " % base.tool.split("-")[1]
        if r.blob is not None:
            try:
                if tool.startswith("sklearn"):
                    k = r.blob.get("k")
                    a = r.blob.get("ari_planted", r.blob.get("ari_polis"))
                    sec = r.blob.get("seconds", {})
                    note += "stages: " + ", ".join(
                        "%s %.2f s" % (k_, sec[k_]) for k_ in ("imports", "read", "matrix", "pca", "kmeans")
                        if k_ in sec)
                else:
                    groups = ari.harmony_groups(r.blob)
                    k = len(set(groups.values()))
                    if truth:
                        a = ari.ari(groups, truth)
                    top = common_on_top(r.blob, common)
                    br = bridging_hits(r.blob, common)
            except (KeyError, ValueError, TypeError) as e:
                st = "ok (unreadable output: %s)" % e
        rat = "–"
        if not tool.startswith("sklearn") and base is not None and r.ok:
            t, w = ratio(base.timed, r.timed), ratio(base.wall, r.wall)
            m, c = ratio(base.rss, r.rss), ratio(base.timed_cpu, r.timed_cpu)
            rat = "**%s×** time (%s× with start-up), %s× memory, %s× CPU" % (
                fmt(t, ".1f"), fmt(w, ".1f"), fmt(m, ".1f"), fmt(c, ".1f"))
        elif tool == "sklearn-dense" and base is not None and r.ok:
            rat = "dense ÷ sparse baseline: %s× time" % fmt(ratio(r.timed, base.timed), ".1f")
        if r.load and name.startswith("synth"):
            note += ("; " if note else "") + "load average at start of run %s" % r.load
        if st != "ok":
            if st.startswith("timeout"):
                note = "did not finish within %s s" % st.split()[1]
            else:
                note = "did not finish: failed after %s s (%s): %s" % (
                    fmt(r.wall, ".0f"), st, last_error(case_dir, tool))
                if tool.startswith("sklearn") and os.environ.get("BENCH_SK_MEM_GB"):
                    note += " (address space capped at %s GB; the machine has 24 GB)" % \
                        os.environ["BENCH_SK_MEM_GB"]
            out.append((label, fmt(r.wall, ".3f"), "–", fmt(r.cpu, ".2f"), fmt(r.rss, ".0f"), "–",
                        "–", "–", "–", "–", note))
        else:
            out.append((label, fmt(r.wall, ".3f"), fmt(r.timed, ".3f"), fmt(r.timed_cpu, ".2f"),
                        fmt(r.rss, ".0f"), rat, fmt(a, ".3f"), fmt(k, "d"), top, br, note))
    return shape, truth_name, out, runs, base


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


def check_line(rundir, cases):
    """What sklearn_pipeline.py --check-dense found on each real export."""
    parts, all_ok = [], True
    for c in cases:
        name = c.split(":")[0]
        blob = read_json(os.path.join(rundir, name, "check-dense.json"))
        if blob is None:
            continue
        all_ok = all_ok and bool(blob.get("ok"))
        ar, rz = blob.get("vs_full_pca_arpack", {}), blob.get("vs_full_pca_randomized", {})
        parts.append(
            "%s (%s moderated columns): max |dense centred − sparse| %.1e; against an exact dense PCA "
            "(`svd_solver='full'`), components differ by at most %.1e (arpack) and %.1e (randomized), "
            "projections by %.1e and %.1e of their largest value, groups %s (arpack) and %s "
            "(randomized, ARI %.3f against the exact PCA's groups)" % (
                name, blob.get("moderated_columns"), blob.get("max_abs_dense_centred_minus_sparse"),
                ar.get("max_abs_component_diff"), rz.get("max_abs_component_diff"),
                ar.get("max_projection_diff_rel"), rz.get("max_projection_diff_rel"),
                "identical" if ar.get("same_groups") else "different",
                "identical" if rz.get("same_groups") else "different",
                rz.get("groups_ari_vs_full") or 0))
    if not parts:
        return None
    return ("Sparse = dense, checked in this run (`bench/sklearn_pipeline.py DIR --check-dense`, up to sign): "
            "**%s**. " % ("passed" if all_ok else "FAILED") + "; ".join(parts) + ".")


def section(rundir, command, cases, machine):
    lines = ["## analyze", "",
             "`harmony analyze` against the Pol.is recipe as a skilled scikit-learn user writes it "
             "(`bench/sklearn_pipeline.py`) on the same input in the same run. The baseline never builds "
             "the dense matrix: the votes go into a `scipy.sparse` CSR matrix of (vote − column mean) "
             "over the observed cells, which is exactly the centred mean-imputed matrix (an imputed cell "
             "is its column's mean, so 0 once centred; moderated columns are 0), and `TruncatedSVD` with "
             "2 components on it is Pol.is's PCA. Both of its solvers run, `arpack` and `randomized` "
             "(scikit-learn's defaults for each), and the faster of the two on each case, by the time "
             "after the imports, is the **baseline** the ratio is taken against. "
             "Timing: \"wall s\" is the whole process (to the millisecond, around `/usr/bin/time -v`), "
             "interpreter start-up and imports included; \"timed s\" is what the ratio uses: for harmony the same whole process "
             "(start-up included), for scikit-learn the time from the end of its imports (numpy, scipy, "
             "scikit-learn) to its last result, reading the export included. The ratio in brackets uses "
             "both tools' whole processes. \"CPU s\" is user + system time over the same span (scikit-learn: "
             "`time.process_time()` after the imports; both to 10 ms); peak RSS is the process's. The ratio is "
             "sklearn ÷ harmony. "
             "ARI is against the planted groups (synthetic) or Pol.is's own groups (real exports, over "
             "the participants both cluster; scikit-learn's groups there depend on its k-means++ seed, "
             "0 here: the groups section below gives the spread over ten seeds). "
             "\"Common\" counts the planted common-ground statements among the top K of harmony's "
             "group-aware consensus (K = number planted); \"bridging\" how many of them harmony labels "
             "bridging, + how many other statements it labels. Each tool runs %s times on the real "
             "exports (they take 30 ms to 2 s, where one run is at the mercy of the machine's moment) "
             "and %s times on the synthetic cases (the dense baseline once there), and the run of "
             "median wall time is shown, on the synthetic cases with the load average when it began. "
             "The machine is shared: the load average is recorded because scikit-learn's k-means "
             "(OpenMP, one thread per core) slows down more than the single-threaded parts when "
             "another process holds a core." % (
                 os.environ.get("BENCH_REPS") or reps_of(rundir),
                 os.environ.get("BENCH_SYNTH_REPS", "1")), "",
             "Command: `%s`" % command, "",
             "Run: %s" % machine, "",
             "| case | shape | tool | wall s | timed s | CPU s | peak MB | sklearn ÷ harmony | ARI | k "
             "| common | bridging | note |",
             "|---|---|---|---:|---:|---:|---:|---|---:|---:|---|---|---|"]
    chosen, goal = [], None
    for c in cases:
        parts = c.split(":")
        name, input_dir = parts[0], parts[1]
        planted = parts[2] if len(parts) > 2 and parts[2] else None
        shape, truth_name, rows, runs, base = rows_for(rundir, name, input_dir, planted)
        for tool, wall, timed, cpu, rss, rat, a, k, top, br, note in rows:
            label = "%s (vs %s)" % (a, truth_name) if a != "–" and truth_name else a
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, shape, tool, wall, timed, cpu, rss, rat, label, k, top, br, note))
        others = [runs[t] for t in SPARSE if t in runs and runs[t] is not base]
        if base is not None:
            other = others[0] if others else None
            chosen.append("%s %s (%.3f s against %s)" % (
                name, base.tool.split("-")[1], base.timed,
                "%.3f s" % other.timed if other is not None and other.ok and other.timed else
                "the other solver not finishing" if other is not None else "no other run"))
        elif any(t in runs for t in SPARSE):
            chosen.append("%s: neither sparse run finished" % name)
        if name == "synth-1e5":
            h = runs.get("harmony-scale")
            if h is not None and h.ok and base is not None:
                goal = (ratio(base.timed, h.timed), ratio(base.wall, h.wall))
    lines.append("")
    if chosen:
        lines += ["Baseline solver per case (the faster sparse run, time after imports): " +
                  "; ".join(chosen) + ".", ""]
    if goal:
        lines += ["Goal: harmony 20× faster than the scikit-learn baseline end to end on 10^7 votes "
                  "(synth-1e5, scale mode). Measured in this run: **%.1f×** (%.1f× with both start-ups "
                  "timed): **%s**." % (goal[0], goal[1], "met" if goal[0] >= 20 else "not met"), ""]
    cl = check_line(rundir, cases)
    if cl:
        lines += [cl, ""]
    bs = read_json(os.path.join(rundir, "bridging_speed.json"))
    if bs:
        lines += ["Bridging factorisation alone (`bench/bridging_speed.c`, CSR built in "
                  "memory, %s ratings after the prefilter, %d sweeps): %.2f s wall, %.2f s CPU "
                  "per sweep (one sweep = one pass over the votes: each participant solved, then "
                  "its statements' sums); planted common ground "
                  "labelled bridging: %s, other statements labelled: %s." % (
                      bs["ratings"], bs["sweeps"], bs["s_per_sweep"], bs["cpu_s_per_sweep"],
                      bs["common_bridging"], bs["other_bridging"]), ""]
    lv = read_json(os.path.join(rundir, "live_speed.json"))
    if lv:
        lines += ["Live updates (`bench/live_speed.c`, `analysis_live_*` as the web server will use "
                  "them, CSR of %s votes built in memory, %s × %s): first tick %.2f s wall (%.2f s CPU); "
                  "**%d new votes applied in one call in %.1f ms** (%.1f ms CPU); one vote per call "
                  "%.2f ms; the warm tick merging them %.2f s (%.2f s CPU); %d groups." % (
                      lv["votes"], lv["participants"], lv["statements"], lv["first_tick_s"],
                      lv["first_tick_cpu_s"], lv["batch"], lv["batch_ms"], lv["batch_cpu_ms"],
                      lv["single_ms"], lv["warm_tick_s"], lv["warm_tick_cpu_s"], lv["groups"]), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def replace_section(path, text):
    """Replaces the "## analyze" section (up to the next "## " heading),
    or appends it; other sections are left as they are, and so are the
    hand-written notes of this one (from "### Notes" to its end)."""
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
        notes = re.search(r"^### Notes\b.*", old[m.end():end], re.M | re.S)
        if notes:
            text += "\n" + notes.group(0).rstrip("\n") + "\n"
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
    machine = "%s, commit %s, %d cores, load average at start %s" % (
        os.environ.get("BENCH_START", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        os.environ.get("BENCH_COMMIT", "unknown"), os.cpu_count() or 0,
        os.environ.get("BENCH_LOAD", "?"))
    if os.environ.get("BENCH_END"):
        machine += ", finished %s with load average %s" % (
            os.environ["BENCH_END"], os.environ.get("BENCH_LOAD_END", "?"))
    if os.environ.get("BENCH_SOFTWARE"):
        machine += ". " + os.environ["BENCH_SOFTWARE"]
    if os.environ.get("BENCH_GEN"):
        machine += ". Generator (`bench/gen_synthetic.c`, cc -O2; wall time and peak RSS " \
            "to write the folder): " + os.environ["BENCH_GEN"]
    replace_section(results, section(rundir, command, argv[4:], machine))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

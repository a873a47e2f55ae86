"""groups_report.py — how close harmony's opinion groups come to Pol.is's own,
next to the scikit-learn recipe, on every export in the data folder; writes
the "groups" section of bench/RESULTS.md (replacing only that section).

    /usr/bin/python3 bench/groups_report.py HARMONY DATA WORK RESULTS.md SEEDS [HELDOUT]

For each conversation folder in DATA (with participants-votes.csv holding
Pol.is's group-id): harmony cold, harmony --replay (1 s ticks) and
--replay --keep-clustered when there is a votes.csv, and the scikit-learn
pipeline (bench/sklearn_pipeline.py --pca dense, the dense recipe these
figures were first made with) once per seed 0..SEEDS-1 (its
k-means++ starts, and so its groups, change with the seed), with Pol.is's
moderation and without it. ARI is over the
participants both clusterings hold; k is the number of groups. The
silhouettes are of harmony's cold groups and of Pol.is's groups, both in
harmony's cold projection, over the participants both cluster.

harmony's cold start (which starts it runs and how it picks one) was chosen
looking at these ten conversations, so that table is a tuning score. The
"groups, held out" section scores the same runs on HELDOUT (the
conversations of ../shared/data/polis-math, which the tuning never saw):
Pol.is's groups there are those of its math-pca2.json, and scikit-learn
reads them from a votes.csv and comments.csv written from votes.json, with
the statements Pol.is's math left out (mod-out, meta-tids) marked moderated
out.
"""

import csv
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
from sklearn.metrics import silhouette_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ari  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LOAD = " ".join("%.2f" % x for x in os.getloadavg())


def harmony_groups(path):
    """participant -> group, and participant -> (x, y), from harmony's JSON."""
    with open(path) as f:
        d = json.load(f)
    lab, pos = {}, {}
    for p, q in d["participants"].items():
        pos[int(p)] = (q["x"], q["y"])
        if q.get("group") is not None:
            lab[int(p)] = q["group"]
    return lab, pos


def run_harmony(harmony, conv, out, extra):
    cmd = [harmony, "analyze", conv, "--no-bridging", "--format", "json", "--output", out] + extra
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise SystemExit("groups_report: %s failed: %s" % (" ".join(cmd), r.stderr.strip()))
    return time.perf_counter() - t


def score(mine, polis):
    v = ari.ari(mine, polis)
    return None if v is None else v, len(set(mine.values()))


def silhouette(lab, pos):
    keys = sorted(k for k in lab if k in pos)
    if len(set(lab[k] for k in keys)) < 2:
        return None
    xy = np.array([pos[k] for k in keys])
    return float(silhouette_score(xy, [lab[k] for k in keys]))


def fmt(v, k=None):
    if v is None:
        return "—"
    return "%.3f" % v if k is None else "%.3f (%d)" % (v, k)


def write_export(conv, math, out):
    """votes.csv and comments.csv, as a Pol.is export has them, from a
    polis-math folder's votes.json and its math's moderated-out set."""
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(conv, "votes.json")) as f:
        votes = json.load(f)
    with open(os.path.join(out, "votes.csv"), "w") as f:
        f.write("timestamp,datetime,comment-id,voter-id,vote\n")
        for v in votes:
            pid = v["pid"] if "pid" in v else v["participant_id"]
            tid = v["tid"] if "tid" in v else v["statement_id"]
            f.write("%d,,%d,%d,%d\n" % (int(float(v["modified"])), tid, pid, v["vote"]))
    out_tids = set(math.get("mod-out") or []) | set(math.get("meta-tids") or [])
    with open(os.path.join(out, "comments.csv"), "w") as f:
        f.write("comment-id,moderated\n")
        for t in math["tids"]:
            f.write("%d,%d\n" % (t, -1 if t in out_tids else 1))


def heldout_rows(harmony, heldout, work, seeds):
    """harmony cold and scikit-learn against Pol.is's math, per folder."""
    rows = []
    for name in sorted(os.listdir(heldout)):
        conv = os.path.join(heldout, name)
        mp = os.path.join(conv, "math-pca2.json")
        if not os.path.exists(mp):
            continue
        with open(mp) as f:
            math = json.load(f)
        polis = ari.harmony_groups(math)
        if not polis:
            continue
        sys.stderr.write("groups, held out: %s\n" % name)
        row = {"name": name, "polis_k": len(set(polis.values()))}
        cold = os.path.join(work, "heldout." + name + ".cold.json")
        run_harmony(harmony, conv, cold, [])
        lab, pos = harmony_groups(cold)
        row["cold"] = score(lab, polis)
        shared = {k: v for k, v in polis.items() if k in lab}
        row["sil"] = (silhouette({k: lab[k] for k in shared}, pos), silhouette(shared, pos))
        export = os.path.join(work, "heldout", name)
        write_export(conv, math, export)
        vals = []
        for seed in range(seeds):
            labels = os.path.join(work, "heldout.%s.sk%d.csv" % (name, seed))
            r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "sklearn_pipeline.py"), export,
                                "--seed", str(seed), "--labels-out", labels], capture_output=True, text=True)
            if r.returncode:
                raise SystemExit("groups_report: sklearn_pipeline.py %s failed: %s" % (name, r.stderr))
            with open(labels, newline="") as f:
                sk = {int(r["participant"]): int(r["group"]) for r in csv.DictReader(f)}
            a = ari.ari(sk, polis)
            if a is not None:
                vals.append(a)
        row["sk"] = (statistics.median(vals), min(vals), max(vals)) if vals else None
        rows.append(row)
    return rows


def heldout_section(rows, heldout, seeds):
    lines = [
        "## groups, held out",
        "",
        "The same comparison on conversations harmony's cold start was not tuned on: the three of `%s`, "
        "with Pol.is's groups as its own math computed them (`math-pca2.json`, group clusters of base "
        "clusters). The ten conversations above are the ones the cold start's choice (ten starts, the "
        "grouping most of them agree with) was made on, so the table above is a tuning score and this one "
        "the held-out view. scikit-learn: the Pol.is recipe with seeds 0..%d, median (lowest–highest), on a "
        "votes.csv written from votes.json with the statements Pol.is's math left out marked moderated out. "
        "Written by `bench/groups` in the same run as the section above." % (heldout, seeds - 1),
        "",
        "| conversation | Pol.is k | sklearn, moderation as Pol.is | harmony cold | silhouette harmony / Pol.is |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    colds, sks = [], []
    for r in rows:
        sk = "—" if not r["sk"] else "%.3f (%.3f–%.3f)" % r["sk"]
        lines.append("| %s | %d | %s | %s | %s / %s |" % (
            r["name"], r["polis_k"], sk, fmt(*r["cold"]), fmt(r["sil"][0]), fmt(r["sil"][1])))
        if r["cold"][0] is not None:
            colds.append(r["cold"][0])
        if r["sk"]:
            sks.append(r["sk"][0])
    lines.append("| **median** | | %s | %s | |" % (
        fmt(statistics.median(sks) if sks else None), fmt(statistics.median(colds) if colds else None)))
    lines.append("")
    return "\n".join(lines) + "\n"


def main(argv):
    harmony, data, work, results, seeds = argv[1], argv[2], argv[3], argv[4], int(argv[5])
    heldout = argv[6] if len(argv) > 6 else None
    os.makedirs(work, exist_ok=True)
    rows = []
    cols = {"sk_polis": [], "sk_none": [], "cold": [], "replay": [], "keep": []}
    for name in sorted(os.listdir(data)):
        conv = os.path.join(data, name)
        pv = os.path.join(conv, "participants-votes.csv")
        if not os.path.exists(pv):
            continue
        polis = ari.read_polis_groups(pv)
        if not polis:
            continue
        sys.stderr.write("groups: %s\n" % name)
        row = {"name": name, "polis_k": len(set(polis.values()))}

        cold = os.path.join(work, name + ".cold.json")
        run_harmony(harmony, conv, cold, [])
        lab, pos = harmony_groups(cold)
        row["cold"] = score(lab, polis)
        shared = {k: v for k, v in polis.items() if k in lab}
        row["sil"] = (silhouette({k: lab[k] for k in shared}, pos), silhouette(shared, pos))

        if os.path.exists(os.path.join(conv, "votes.csv")):
            for key, extra in (("replay", ["--replay"]), ("keep", ["--replay", "--keep-clustered"])):
                out = os.path.join(work, "%s.%s.json" % (name, key))
                run_harmony(harmony, conv, out, extra)
                row[key] = score(harmony_groups(out)[0], polis)

        for mod in ("polis", "none"):
            vals = []
            for seed in range(seeds):
                r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "sklearn_pipeline.py"), conv, "--pca", "dense",
                                    "--seed", str(seed), "--moderation", mod], capture_output=True, text=True)
                if r.returncode:
                    raise SystemExit("groups_report: sklearn_pipeline.py %s failed: %s" % (name, r.stderr))
                a = json.loads(r.stdout).get("ari_polis")
                if a is not None:
                    vals.append(a)
            row["sk_" + mod] = (statistics.median(vals), min(vals), max(vals)) if vals else None
        rows.append(row)
        for key in ("cold", "replay", "keep"):
            if row.get(key) and row[key][0] is not None:
                cols[key].append(row[key][0])
        for key in ("sk_polis", "sk_none"):
            if row[key]:
                cols[key].append(row[key][0])

    lines = [
        "## groups",
        "",
        "Opinion groups against Pol.is's own (`group-id` in each export's participants-votes.csv), on every "
        "conversation in `%s`: adjusted Rand index over the participants both clusterings hold, number of groups "
        "in brackets. scikit-learn is `bench/sklearn_pipeline.py` (the Pol.is recipe, cold), run with seeds "
        "0..%d: its k-means++ starts, and so its groups, change with the seed; the table gives the median "
        "(lowest–highest) over the seeds, once with moderation applied as Pol.is and harmony apply it "
        "(statements moderated out are zeroed) and once with every statement's votes "
        "(`--moderation none`). harmony is deterministic: cold (`harmony analyze`), "
        "`--replay` (1 s ticks, Pol.is's warm starts) and `--replay --keep-clustered` (Pol.is's clustered set), "
        "the last two only where the export has a vote log. Silhouettes are of harmony's cold groups and of "
        "Pol.is's groups in harmony's cold projection. harmony's cold start was tuned on these ten "
        "conversations: this is a tuning score; the held-out view is the next section." % (data, seeds - 1),
        "",
        "Command: `bench/groups`",
        "",
        "Run: %s, commit %s, load average %s when it began (the figures are agreements, not "
        "times: load does not change them)" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                                git_head(), LOAD),
        "",
        "| conversation | Pol.is k | sklearn, moderation as Pol.is | sklearn, all statements | harmony cold "
        "| `--replay` | `--replay --keep-clustered` | silhouette harmony / Pol.is |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        skp, skn = ("—" if not r[k] else "%.3f (%.3f–%.3f)" % r[k] for k in ("sk_polis", "sk_none"))
        rep = r.get("replay")
        keep = r.get("keep")
        lines.append("| %s | %d | %s | %s | %s | %s | %s | %s / %s |" % (
            r["name"], r["polis_k"], skp, skn, fmt(*r["cold"]), fmt(*rep) if rep else "—",
            fmt(*keep) if keep else "—", fmt(r["sil"][0]), fmt(r["sil"][1])))
    med = {k: (statistics.median(v) if v else None) for k, v in cols.items()}
    lines.append("| **median** | | %s | %s | %s | %s | %s | |" % (
        fmt(med["sk_polis"]), fmt(med["sk_none"]), fmt(med["cold"]), fmt(med["replay"]), fmt(med["keep"])))
    lines.append("")
    write_section(results, "groups", "\n".join(lines) + "\n")
    print("bench/groups: wrote the groups section of %s" % results)
    if heldout:
        rows = heldout_rows(harmony, heldout, work, seeds)
        write_section(results, "groups, held out", heldout_section(rows, heldout, seeds))
        print("bench/groups: wrote the groups, held out section of %s" % results)
    return 0


def git_head():
    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return r.stdout.strip() or "?"


def write_section(path, name, text):
    """Replace the '## name' section of path (up to the next '## ') with text,
    or append it."""
    old = open(path).read() if os.path.exists(path) else "# Benchmark results\n"
    head = "## " + name + "\n"
    i = old.find(head)
    if i < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        j = old.find("\n## ", i + len(head))
        new = old[:i] + text + (old[j + 1:] if j >= 0 else "")
    with open(path, "w") as f:
        f.write(new)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

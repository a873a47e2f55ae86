"""sklearn_pipeline.py — the baseline harmony's analysis is timed against:
the Pol.is recipe as people rebuild it with numpy and scikit-learn (as
red-dwarf does), on a Pol.is export folder.

    /usr/bin/python3 bench/sklearn_pipeline.py DIR [--labels-out FILE] [--planted FILE] [--seed N]
                                               [--moderation polis|none]

Dense participants x statements matrix, each missing vote imputed with its
column mean, PCA to 2 components, Pol.is's sparsity-aware scaling
sqrt(C / n_i) of the projections, k-means with k = 100 on the participants
with >= min(7, C) votes, then k = 2..min(5, 2 + n_base/12) on the base
centres (weighted by size) chosen by silhouette over the base centres.
Moderation as Pol.is (and harmony) apply it: statements moderated out
(moderated = -1 or is-meta in comments.csv) have their column set to 0 for
every participant, and still count in each participant's n_i;
--moderation none keeps every statement's votes instead.
--seed sets random_state for PCA and every KMeans (default 0): k-means++
starts differ per seed, and so does the clustering found.
Prints one JSON object: stage times, peak memory, groups and the ARI
against planted groups (--planted) and against Pol.is's own groups when
DIR has participants-votes.csv with a group-id column.
"""

import csv
import json
import os
import resource
import sys
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ari  # noqa: E402


def read_votes(d):
    """(pid, tid, vote) arrays, the last vote per (pid, tid) kept."""
    path = os.path.join(d, "votes.csv")
    if os.path.exists(path):
        with open(path, newline="") as f:
            header = f.readline().strip().split(",")
        cols = [header.index(c) for c in ("timestamp", "comment-id", "voter-id", "vote")]
        a = np.loadtxt(path, delimiter=",", skiprows=1, usecols=cols, dtype=np.int64, ndmin=2)
        ts, tid, pid, vote = a[:, 0], a[:, 1], a[:, 2], a[:, 3]
        # last vote wins: sort by (pid, tid, ts) and keep each pair's last row
        order = np.lexsort((ts, tid, pid))
        pid, tid, vote = pid[order], tid[order], vote[order]
        last = np.ones(len(pid), dtype=bool)
        last[:-1] = (pid[1:] != pid[:-1]) | (tid[1:] != tid[:-1])
        return pid[last], tid[last], vote[last]
    # participants-votes.csv: one row per participant, one column per statement
    pids, tids, votes = [], [], []
    with open(os.path.join(d, "participants-votes.csv"), newline="") as f:
        r = csv.reader(f)
        header = next(r)
        first = header.index("n-disagree") + 1
        col_tid = [int(h) for h in header[first:]]
        for row in r:
            p = int(row[0])
            for j, cell in enumerate(row[first:]):
                if cell != "":
                    pids.append(p)
                    tids.append(col_tid[j])
                    votes.append(int(float(cell)))
    return np.array(pids), np.array(tids), np.array(votes)


def moderated_out(d):
    """Statement ids Pol.is leaves out of PCA: moderated = -1 or is-meta."""
    out = set()
    path = os.path.join(d, "comments.csv")
    if not os.path.exists(path):
        return out
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            meta = (r.get("is-meta") or "").strip().lower() in ("true", "t", "1")
            if r.get("moderated", "").strip() == "-1" or meta:
                out.add(int(r["comment-id"]))
    return out


def blas_in_use():
    """The BLAS library numpy loaded (the reference BLAS is far slower
    than OpenBLAS), read from this process's memory map."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return None
    # the folder tells them apart: blas/ (reference), openblas-pthread/, …
    libs = sorted("/".join(x.split("/")[-2:]) for x in libs if x.startswith("/usr/lib/x86_64") or
                  "openblas" in x.lower() or "mkl" in x.lower())
    return ", ".join(libs) or None


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    d = argv[1]
    opts = dict(zip(argv[2::2], argv[3::2]))
    times = {}
    seed = int(opts.get("--seed", "0"))
    moderation = opts.get("--moderation", "polis")
    if moderation not in ("polis", "none"):
        sys.stderr.write("--moderation is polis or none\n")
        return 2
    t = time.perf_counter()
    pid, tid, vote = read_votes(d)
    times["read"] = time.perf_counter() - t

    t = time.perf_counter()
    upid, row = np.unique(pid, return_inverse=True)
    utid, col = np.unique(tid, return_inverse=True)
    P, C = len(upid), len(utid)
    n_votes = np.bincount(row, minlength=P)
    col_mean = np.bincount(col, weights=vote.astype(np.float64), minlength=C) / np.maximum(
        np.bincount(col, minlength=C), 1)
    # dense, as the Pol.is recipe has it: every missing vote is its column mean
    X = np.empty((P, C))
    X[:] = col_mean
    X[row, col] = vote
    n_proj = n_votes
    if moderation == "polis":
        out = moderated_out(d)
        mcols = np.array([j for j in range(C) if int(utid[j]) in out], dtype=np.int64)
        if len(mcols):
            X[:, mcols] = 0.0
            n_proj = n_votes + len(mcols)  # zeroed cells count as votes in Pol.is
    times["matrix"] = time.perf_counter() - t

    t = time.perf_counter()
    pca = PCA(n_components=2, random_state=seed)
    proj = pca.fit_transform(X)
    proj *= np.sqrt(C / np.maximum(n_proj, 1))[:, None]
    del X
    times["pca"] = time.perf_counter() - t

    t = time.perf_counter()
    in_conv = n_votes >= min(7, C)
    if in_conv.sum() < 15:  # Pol.is fills up to 15 with the keenest voters
        in_conv[np.argsort(-n_votes, kind="stable")[:15]] = True
    pts = proj[in_conv]
    n_base = min(100, len(np.unique(pts, axis=0)))
    base = KMeans(n_clusters=n_base, n_init=1, random_state=seed).fit(pts)
    centres = base.cluster_centers_
    weights = np.bincount(base.labels_, minlength=n_base)
    best = None
    for k in range(2, min(5, 2 + n_base // 12) + 1):
        km = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(centres, sample_weight=weights)
        if len(set(km.labels_)) < 2:
            continue
        s = silhouette_score(centres, km.labels_)
        if best is None or s > best[0]:
            best = (s, k, km.labels_)
    labels = np.full(P, -1)
    if best is not None:
        labels[np.nonzero(in_conv)[0]] = best[2][base.labels_]
    times["kmeans"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - T0

    mine = {int(upid[i]): int(labels[i]) for i in range(P) if labels[i] >= 0}
    out = {
        "input": d,
        "seed": seed,
        "moderation": moderation,
        "participants": int(P),
        "statements": int(C),
        "votes": int(len(vote)),
        "in_conv": int(in_conv.sum()),
        "k": best[1] if best else None,
        "silhouette": round(float(best[0]), 4) if best else None,
        "group_sizes": [int(x) for x in np.bincount(labels[labels >= 0])] if best else [],
        "seconds": {k: round(v, 3) for k, v in times.items()},
        "blas": blas_in_use(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }
    if "--planted" in opts:
        planted, _ = ari.read_planted(opts["--planted"])
        v = ari.ari(mine, planted)
        out["ari_planted"] = None if v is None else round(v, 4)
    pv = os.path.join(d, "participants-votes.csv")
    if os.path.exists(pv):
        polis = ari.read_polis_groups(pv)
        if polis:
            v = ari.ari(mine, polis)
            out["ari_polis"] = None if v is None else round(v, 4)
    if "--labels-out" in opts:
        with open(opts["--labels-out"], "w") as f:
            f.write("participant,group\n")
            for p in upid[labels >= 0]:
                f.write("%d,%d\n" % (p, mine[int(p)]))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

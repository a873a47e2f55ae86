"""sklearn_pipeline.py — the baseline harmony's analysis is timed against:
the Pol.is recipe as a skilled user writes it with numpy, scipy and
scikit-learn, on a Pol.is export folder.

    /usr/bin/python3 bench/sklearn_pipeline.py DIR [--pca arpack|randomized|dense]
                     [--labels-out FILE] [--planted FILE] [--seed N]
                     [--moderation polis|none] [--check-dense]

The recipe: each missing vote imputed with its column mean, PCA to 2
components, Pol.is's sparsity-aware scaling sqrt(C / n_i) of the
projections, k-means with k = 100 on the participants with >= min(7, C)
votes, then k = 2..min(5, 2 + n_base/12) on the base centres (weighted by
size) chosen by silhouette over the base centres. Moderation as Pol.is (and
harmony) apply it: statements moderated out (moderated = -1 or is-meta in
comments.csv) have their column set to 0 for every participant, and still
count in each participant's n_i; --moderation none keeps every statement's
votes instead.

--pca arpack (the default) and --pca randomized never build the dense
matrix. Imputing a missing vote with its column mean and then centring the
column makes that cell exactly 0, and an observed vote becomes vote - mean;
so the scipy.sparse CSR matrix of (vote - column mean) over the observed
cells IS the centred imputed matrix, and TruncatedSVD on it (no centring of
its own) is PCA of the dense imputed matrix. Moderated columns are all 0.
--pca dense is the earlier baseline, kept to reproduce its figures: the
dense float64 participants x statements matrix and sklearn's PCA on it.

--check-dense builds both matrices (small exports only) and checks that
they are equal, that TruncatedSVD (arpack and randomized) gives the
components and projections of an exact dense PCA (svd_solver='full') up to
sign, and that the groups come out the same; it prints one JSON object and
exits 1 if any check fails.

--seed sets random_state for the SVD / PCA and every KMeans (default 0):
k-means++ starts differ per seed, and so does the clustering found.
Prints one JSON object: stage times, the time spent importing numpy, scipy
and scikit-learn ("imports") and the time after them ("work", reading the
export included, and its CPU time "cpu_work"), peak memory, groups and the
ARI against planted groups (--planted) and against Pol.is's own groups when
DIR has participants-votes.csv with a group-id column.
"""

import argparse
import csv
import json
import os
import resource
import sys
import time

T0 = time.perf_counter()

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import sklearn  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.decomposition import PCA, TruncatedSVD  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ari  # noqa: E402

T_READY = time.perf_counter()
CPU_READY = time.process_time()


def read_votes(d):
    """(pid, tid, vote) arrays, the last vote per (pid, tid) kept: the
    earlier baseline's reader (a three-key lexsort of every vote), kept for
    --pca dense."""
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


def read_raw(d):
    """(tid, pid, vote) arrays of every row as exported, duplicates
    included, and a function that reads the timestamps (only needed when a
    participant voted twice on a statement; None for participants-votes.csv,
    which cannot hold a cell twice)."""
    path = os.path.join(d, "votes.csv")
    if os.path.exists(path):
        with open(path, newline="") as f:
            header = f.readline().strip().split(",")
        cols = [header.index(c) for c in ("comment-id", "voter-id", "vote")]
        a = np.loadtxt(path, delimiter=",", skiprows=1, usecols=cols, dtype=np.int64, ndmin=2)
        return a[:, 0], a[:, 1], a[:, 2], lambda: np.loadtxt(
            path, delimiter=",", skiprows=1, usecols=header.index("timestamp"), dtype=np.int64, ndmin=1)
    pid, tid, vote = read_votes(d)
    return tid, pid, vote, None


def compact(ids):
    """(sorted distinct ids, index of each id among them, int32): np.unique's
    answer, by a lookup table when the ids are small non-negative integers
    (as Pol.is's are) rather than by sorting every vote."""
    if len(ids) and ids.min() >= 0 and ids.max() < 4 * len(ids) + (1 << 20):
        present = np.zeros(int(ids.max()) + 1, dtype=bool)
        present[ids] = True
        uniq = np.flatnonzero(present)
        if len(uniq) == len(present):  # already 0..n-1
            return uniq, ids.astype(np.int32)
        lookup = (np.cumsum(present, dtype=np.int64) - 1).astype(np.int32)
        return uniq, lookup[ids]
    uniq, inv = np.unique(ids, return_inverse=True)
    return uniq, inv.astype(np.int32)


def sparse_votes(d):
    """(upid, utid, V): V the CSR participants x statements matrix of the
    last vote per cell (a pass is an explicit 0), float64."""
    tid, pid, vote, read_ts = read_raw(d)
    upid, row = compact(pid)
    del pid
    utid, col = compact(tid)
    del tid
    P, C = len(upid), len(utid)
    # coo -> csr is a counting sort by row; it sums duplicate cells, so
    # nnz < rows read says that some (participant, statement) voted twice
    V = sp.csr_matrix((vote.astype(np.float64), (row, col)), shape=(P, C))
    if V.nnz != len(vote):  # a vote changed: keep the last one by timestamp
        key = row.astype(np.int64) * C + col
        order = np.lexsort((read_ts(), key)) if read_ts else np.argsort(key, kind="stable")
        key = key[order]
        last = np.ones(len(key), dtype=bool)
        last[:-1] = key[1:] != key[:-1]
        keep = order[last]
        V = sp.csr_matrix((vote[keep].astype(np.float64), (row[keep], col[keep])), shape=(P, C))
    return upid, utid, V


def moderated_columns(d, utid):
    out = moderated_out(d)
    return np.array([j for j in range(len(utid)) if int(utid[j]) in out], dtype=np.int64)


def centred_sparse(V, mcols):
    """The centred imputed matrix as CSR: vote - column mean on the observed
    cells, 0 elsewhere and in moderated columns. Returns (X, n_votes)."""
    P, C = V.shape
    n_votes = np.diff(V.indptr)
    col_n = np.bincount(V.indices, minlength=C)
    col_mean = np.bincount(V.indices, weights=V.data, minlength=C) / np.maximum(col_n, 1)
    X = V  # centred in place: the raw votes are not needed again
    X.data -= col_mean[X.indices]
    if len(mcols):
        zero = np.zeros(C, dtype=bool)
        zero[mcols] = True
        X.data[zero[X.indices]] = 0.0
        X.eliminate_zeros()
    return X, n_votes


def dense_imputed(pid, tid, vote, mcols_of):
    """The earlier baseline's matrix: dense, every missing vote its column
    mean, moderated columns 0. Returns (upid, utid, X, n_votes, mcols)."""
    upid, row = np.unique(pid, return_inverse=True)
    utid, col = np.unique(tid, return_inverse=True)
    P, C = len(upid), len(utid)
    n_votes = np.bincount(row, minlength=P)
    col_mean = np.bincount(col, weights=vote.astype(np.float64), minlength=C) / np.maximum(
        np.bincount(col, minlength=C), 1)
    X = np.empty((P, C))
    X[:] = col_mean
    X[row, col] = vote
    mcols = mcols_of(utid)
    if len(mcols):
        X[:, mcols] = 0.0
    return upid, utid, X, n_votes, mcols


def svd2(X, how, seed):
    """Projections on the first two principal components, and the
    components (2 x C). X is the centred sparse matrix for arpack and
    randomized, the dense imputed one (PCA centres it) for dense/full."""
    if how in ("arpack", "randomized"):
        t = TruncatedSVD(n_components=2, algorithm=how, random_state=seed)
        return t.fit_transform(X), t.components_
    pca = PCA(n_components=2, random_state=seed, svd_solver="full" if how == "full" else "auto")
    return pca.fit_transform(X), pca.components_


def cluster(proj, n_votes, C, seed):
    """Pol.is's clustering of the scaled projections: (labels, k, silhouette,
    in_conv); labels -1 outside the clustered set."""
    P = len(n_votes)
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
    return labels, (best[1] if best else None), (best[0] if best else None), in_conv


def check_dense(d, moderation, seed):
    """Sparse centred matrix against the dense imputed one, and TruncatedSVD
    on it against an exact dense PCA. One JSON-able dict; "ok" says all held."""
    mcols_of = (lambda utid: moderated_columns(d, utid)) if moderation == "polis" else (
        lambda utid: np.zeros(0, dtype=np.int64))
    upid, utid, V = sparse_votes(d)
    Xs, n_votes_s = centred_sparse(V, mcols_of(utid))
    pid, tid, vote = read_votes(d)
    upid_d, utid_d, Xd, n_votes_d, mcols = dense_imputed(pid, tid, vote, mcols_of)
    P, C = Xd.shape
    out = {"input": d, "moderation": moderation, "seed": seed, "participants": int(P),
           "statements": int(C), "votes": int(len(vote)), "moderated_columns": int(len(mcols))}
    same_ids = bool(np.array_equal(upid, upid_d) and np.array_equal(utid, utid_d)
                    and np.array_equal(n_votes_s, n_votes_d))
    out["same_participants_statements_counts"] = same_ids
    centred = Xd - Xd.mean(axis=0)
    out["max_abs_dense_centred_minus_sparse"] = float(np.abs(centred - Xs.toarray()).max())
    n_proj = n_votes_d + len(mcols)
    scale = np.sqrt(C / np.maximum(n_proj, 1))[:, None]
    ref_proj, ref_comp = svd2(Xd, "full", seed)
    ref_labels = cluster(ref_proj * scale, n_votes_d, C, seed)[0]
    top = float(np.abs(ref_proj).max())
    ok = same_ids and out["max_abs_dense_centred_minus_sparse"] < 1e-12
    for how, tol in (("arpack", 1e-8), ("randomized", 1e-3), ("dense", 1e-3)):
        proj, comp = svd2(Xs if how != "dense" else Xd, how, seed)
        sign = np.sign(np.sum(comp * ref_comp, axis=1))
        comp, proj = comp * sign[:, None], proj * sign[None, :]
        labels = cluster(proj * scale, n_votes_d, C, seed)[0]
        r = {
            "max_abs_component_diff": float(np.abs(comp - ref_comp).max()),
            "max_projection_diff_rel": float(np.abs(proj - ref_proj).max() / top),
            "groups_ari_vs_full": round(float(ari.ari(dict(enumerate(labels.tolist())),
                                                        dict(enumerate(ref_labels.tolist())))), 6),
            "same_groups": bool(np.array_equal(labels, ref_labels)),
            "tolerance": tol,
        }
        r["ok"] = r["max_abs_component_diff"] < tol and r["max_projection_diff_rel"] < tol
        ok = ok and r["ok"]
        out["vs_full_pca_" + how] = r
    out["ok"] = bool(ok)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description="the Pol.is recipe in scikit-learn")
    ap.add_argument("dir")
    ap.add_argument("--pca", choices=("arpack", "randomized", "dense"), default="arpack")
    ap.add_argument("--labels-out")
    ap.add_argument("--planted")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--moderation", choices=("polis", "none"), default="polis")
    ap.add_argument("--check-dense", action="store_true")
    a = ap.parse_args(argv[1:])
    d, seed, moderation = a.dir, a.seed, a.moderation
    if a.check_dense:
        out = check_dense(d, moderation, seed)
        print(json.dumps(out))
        return 0 if out["ok"] else 1
    mcols_of = (lambda utid: moderated_columns(d, utid)) if moderation == "polis" else (
        lambda utid: np.zeros(0, dtype=np.int64))
    times = {}
    if a.pca == "dense":
        t = time.perf_counter()
        pid, tid, vote = read_votes(d)
        n_read = len(vote)
        times["read"] = time.perf_counter() - t
        t = time.perf_counter()
        upid, utid, X, n_votes, mcols = dense_imputed(pid, tid, vote, mcols_of)
        del pid, tid, vote
        times["matrix"] = time.perf_counter() - t
    else:
        t = time.perf_counter()
        upid, utid, V = sparse_votes(d)
        n_read = V.nnz
        times["read"] = time.perf_counter() - t
        t = time.perf_counter()
        X, n_votes = centred_sparse(V, mcols_of(utid))
        mcols = mcols_of(utid)
        del V
        times["matrix"] = time.perf_counter() - t
    P, C = X.shape
    n_proj = n_votes + len(mcols)  # zeroed cells count as votes in Pol.is

    t = time.perf_counter()
    proj, _ = svd2(X, a.pca, seed)
    proj *= np.sqrt(C / np.maximum(n_proj, 1))[:, None]
    del X
    times["pca"] = time.perf_counter() - t

    t = time.perf_counter()
    labels, k, sil, in_conv = cluster(proj, n_votes, C, seed)
    times["kmeans"] = time.perf_counter() - t
    end = time.perf_counter()
    times["imports"] = T_READY - T0
    times["work"] = end - T_READY
    times["total"] = end - T0
    cpu_work = time.process_time() - CPU_READY

    mine = {int(upid[i]): int(labels[i]) for i in range(P) if labels[i] >= 0}
    out = {
        "input": d,
        "pca": a.pca,
        "seed": seed,
        "moderation": moderation,
        "participants": int(P),
        "statements": int(C),
        "votes": int(n_read),
        "in_conv": int(in_conv.sum()),
        "k": k,
        "silhouette": round(float(sil), 4) if sil is not None else None,
        "group_sizes": [int(x) for x in np.bincount(labels[labels >= 0])] if k else [],
        "seconds": {k_: round(v, 3) for k_, v in times.items()},
        "cpu_work": round(cpu_work, 3),
        "blas": blas_in_use(),
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }
    if a.planted:
        planted, _ = ari.read_planted(a.planted)
        v = ari.ari(mine, planted)
        out["ari_planted"] = None if v is None else round(v, 4)
    pv = os.path.join(d, "participants-votes.csv")
    if os.path.exists(pv):
        polis = ari.read_polis_groups(pv)
        if polis:
            v = ari.ari(mine, polis)
            out["ari_polis"] = None if v is None else round(v, 4)
    if a.labels_out:
        with open(a.labels_out, "w") as f:
            f.write("participant,group\n")
            for p in upid[labels >= 0]:
                f.write("%d,%d\n" % (p, mine[int(p)]))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

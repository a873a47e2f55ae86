"""ari.py — adjusted Rand index between two labellings, and readers for the
labellings the benchmark compares: planted groups (planted.csv), Pol.is's
own groups (participants-votes.csv group-id), label files written by
sklearn_pipeline.py, and the group membership in harmony's JSON output.

    python3 ari.py A B     where A and B are any of the files above;
                           prints the ARI over participants labelled in both
"""

import csv
import json
import sys
from collections import Counter


def comb2(n):
    return n * (n - 1) / 2.0


def ari(a, b):
    """ARI of two dicts participant -> label, over the keys in both.
    None when fewer than two participants are shared."""
    keys = [k for k in a if k in b]
    n = len(keys)
    if n < 2:
        return None
    pairs = Counter((a[k], b[k]) for k in keys)
    ra = Counter(a[k] for k in keys)
    rb = Counter(b[k] for k in keys)
    index = sum(comb2(v) for v in pairs.values())
    sa = sum(comb2(v) for v in ra.values())
    sb = sum(comb2(v) for v in rb.values())
    expected = sa * sb / comb2(n)
    top = (sa + sb) / 2.0
    if top == expected:  # both labellings trivial (one cluster each, or all singletons)
        return 1.0
    return (index - expected) / (top - expected)


def read_planted(path):
    """planted.csv (kind,id,group): participant -> planted group, and the
    list of planted common-ground statement ids."""
    groups, common = {}, []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "participant":
                groups[int(row["id"])] = int(row["group"])
            elif row["kind"] == "common":
                common.append(int(row["id"]))
    return groups, common


def read_label_csv(path):
    """participant,group CSV (sklearn_pipeline.py --labels-out)."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["group"] not in ("", "-1"):
                out[int(row["participant"])] = int(row["group"])
    return out


def read_polis_groups(path):
    """participants-votes.csv: Pol.is's group-id per participant."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            g = row.get("group-id", "")
            if g != "":
                out[int(row["participant"])] = int(g)
    return out


def harmony_groups(blob):
    """Participant -> group from harmony's analyze JSON. Accepts
    "participants" as {pid: {group}} or a list of {id|pid, group}, a
    "groups" list with
    participant "members", or Pol.is-style "base-clusters" (folded:
    id/members lists) with "group-clusters" [{id, members: base ids}]."""
    for key in ("participants", "ptpts"):
        rows = blob.get(key)
        if isinstance(rows, dict) and rows:  # {pid: {"group": g, ...}}
            out = {int(pid): int(r["group"]) for pid, r in rows.items()
                   if isinstance(r, dict) and r.get("group", -1) is not None
                   and r.get("group", -1) >= 0}
            if out:
                return out
        if isinstance(rows, list) and rows and isinstance(rows[0], dict):
            out = {}
            for r in rows:
                pid = r.get("id", r.get("pid"))
                g = r.get("group", r.get("gid"))
                if pid is not None and g is not None and g >= 0:
                    out[int(pid)] = int(g)
            if out:
                return out
    base = blob.get("base-clusters")
    groups = blob.get("group-clusters")
    if isinstance(base, dict) and isinstance(groups, list):
        members_of_base = dict(zip(base["id"], base["members"]))
        out = {}
        for g in groups:
            for b in g["members"]:
                for pid in members_of_base.get(b, []):
                    out[int(pid)] = int(g["id"])
        return out
    groups = blob.get("groups")
    if isinstance(groups, list):
        out = {}
        for i, g in enumerate(groups):
            gid = g.get("id", i) if isinstance(g, dict) else i
            members = g.get("members", []) if isinstance(g, dict) else g
            for pid in members:
                out[int(pid)] = int(gid)
        if out:
            return out
    raise ValueError("no participant groups found in the JSON")


def read_any(path):
    if path.endswith(".json"):
        with open(path) as f:
            return harmony_groups(json.load(f))
    with open(path, newline="") as f:
        header = f.readline()
    if header.startswith("kind,"):
        return read_planted(path)[0]
    if "group-id" in header:
        return read_polis_groups(path)
    return read_label_csv(path)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    a, b = read_any(argv[1]), read_any(argv[2])
    v = ari(a, b)
    print("null" if v is None else "%.4f" % v)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Near-duplicate detection: MinHash LSH (datasketch) over character shingles.

Each article's text (title + body, normalised like the char fields: whitespace
removed, case and traditional/simplified folded) is cut into overlapping
character 5-grams.  A 128-permutation MinHash of that set goes into a
MinHashLSH index; candidate pairs whose estimated Jaccard similarity is at
least ``THRESHOLD`` are joined (union-find), and every member of a cluster
gets the id of the cluster's earliest article (by date, then id) as its
cluster id.  Texts shorter than ``MIN_CHARS`` are never clustered.
Signatures are kept in the index directory so incremental builds only hash
new or changed articles.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.analyzers import normalize

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.6
MIN_CHARS = 30
SEED = 1
SCHEME = "affine64"  # datasketch >= 2.0 permutation scheme (stored signatures are uint64)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Return the set of character `size`-grams of the normalised text."""
    folded = normalize(text)
    return {folded[i : i + size] for i in range(max(1, len(folded) - size + 1))} if folded else set()


def signature(text: str):
    """Return the datasketch MinHash of text's shingles, or None if text is too short to cluster."""
    if len(normalize(text)) < MIN_CHARS:
        return None
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([shingle.encode("utf-8") for shingle in sorted(shingles(text))])
    return minhash


def cluster_text(record: dict) -> str:
    """The text of a record that near-duplicate detection compares."""
    return "\n".join(str(record.get(name) or "") for name in ("title", "body"))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def cluster(signatures: dict[str, object], order: dict[str, tuple]) -> dict[str, str]:
    """Return {id: cluster id} for every id in order; signatures maps ids to MinHash (or None).

    order maps each id to its sort key (date, id): the smallest member names the cluster.
    """
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    groups = _UnionFind()
    for doc_id in sorted(signatures, key=lambda i: order.get(i, ("", i))):
        minhash = signatures[doc_id]
        if minhash is None:
            continue
        for other in lsh.query(minhash):
            if minhash.jaccard(signatures[other]) >= THRESHOLD:
                groups.union(doc_id, other)
        lsh.insert(doc_id, minhash)
    members: dict[str, list[str]] = {}
    for doc_id in order:
        members.setdefault(groups.find(doc_id), []).append(doc_id)
    result = {}
    for group in members.values():
        head = min(group, key=lambda i: order[i])
        result.update(dict.fromkeys(group, head))
    return result


def load_signatures(path: Path) -> dict[str, object]:
    """Return {id: LeanMinHash or None} saved by save_signatures ({} if absent)."""
    if not path.exists():
        return {}
    import numpy as np
    from datasketch import LeanMinHash

    data = np.load(path, allow_pickle=False)
    ids, values, present = data["ids"].tolist(), data["values"], data["present"]
    return {
        doc_id: LeanMinHash(seed=SEED, hashvalues=values[row], scheme=SCHEME) if present[row] else None
        for row, doc_id in enumerate(ids)
    }


def save_signatures(path: Path, signatures: dict[str, object]) -> None:
    """Write the signatures to path (atomically)."""
    import numpy as np

    ids = sorted(signatures)
    values = np.zeros((len(ids), NUM_PERM), dtype=np.uint64)
    present = np.zeros(len(ids), dtype=bool)
    for row, doc_id in enumerate(ids):
        if signatures[doc_id] is not None:
            values[row] = signatures[doc_id].hashvalues
            present[row] = True
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, ids=np.array(ids, dtype=str), values=values, present=present)
    os.replace(tmp, path)


def write_json(path: Path, data: object) -> None:
    """Write JSON atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> dict:
    """Read a JSON object ({} if absent)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}

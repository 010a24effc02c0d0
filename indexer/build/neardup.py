"""Near-duplicate detection: MinHash LSH over character shingles (datasketch's scheme and band parameters).

Each article's text (title + body, normalised like the char fields: whitespace
removed, case and traditional/simplified folded) is cut into overlapping
character 5-grams.  A 128-permutation MinHash of that set goes into a
MinHashLSH index; candidate pairs whose estimated Jaccard similarity is at
least ``THRESHOLD`` are joined (union-find), and every member of a cluster
gets the id of the cluster's earliest article (by date, then id) as its
cluster id.  Texts shorter than ``MIN_CHARS`` are never clustered.
Signatures are kept in the index directory (``minhash.N.npz``, see
``indexer.build.commit``) so incremental builds only hash new or changed articles.
"""

from __future__ import annotations

import io

from indexer.analyzers import normalize

SHINGLE = 5
NUM_PERM = 128
THRESHOLD = 0.6
MIN_CHARS = 30
SEED = 1
# datasketch's MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM) bands x rows (its _optimal_param with equal
# weights; checked in tests/test_search_extras.py): constants, so clustering needs no scipy.
LSH_BANDS, LSH_ROWS = 18, 7
SCHEME = "affine64"  # datasketch >= 2.0 permutation scheme (stored signatures are uint64)
HASH_SCHEME = "poly5-fmix64-affine64"  # how signature_values hashes shingles (stored in minhash.npz)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Return the set of character `size`-grams of the normalised text."""
    folded = normalize(text)
    return {folded[i : i + size] for i in range(max(1, len(folded) - size + 1))} if folded else set()


_PERMUTATIONS = None
_MULTIPLIER = 0x9E3779B97F4A7C15  # odd 64-bit constant of the rolling shingle hash


def _permutations():
    """datasketch's (a, b) affine64 permutation parameters for NUM_PERM and SEED (cached).

    Drawn as datasketch's MinHash._init_permutations draws them (tests/test_search_extras.py checks they are
    equal) without importing datasketch, which imports scipy: 60 MB in the build process and each worker.
    """
    global _PERMUTATIONS
    if _PERMUTATIONS is None:
        import numpy as np

        generator = np.random.RandomState(SEED)
        a = generator.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        b = generator.randint(0, 1 << 64, NUM_PERM, dtype=np.uint64)
        _PERMUTATIONS = (a, b)
    return _PERMUTATIONS


def signature_values(text: str):
    """Return the MinHash values (uint64[NUM_PERM]) of text's shingles, or None if text is too short.

    Vectorised: the shingles are hashed as polynomials of their code points (wrapping uint64
    arithmetic over the whole text at once), mixed with the MurmurHash3 64-bit finaliser and
    permuted with datasketch's affine64 parameters (``h -> a*h + b mod 2**64``); the MinHash is the
    column minimum.  The same estimator as datasketch's MinHash(scheme="affine64") with another
    (non-cryptographic) base hash of the shingles.
    """
    import numpy as np

    from indexer.build.textcodes import normalized_codes

    codes = normalized_codes(text)
    if len(codes) < MIN_CHARS:
        return None
    codes = codes.astype(np.uint64)
    count = len(codes) - SHINGLE + 1
    with np.errstate(over="ignore"):
        hashed = codes[:count].copy()
        for k in range(1, SHINGLE):
            hashed = hashed * np.uint64(_MULTIPLIER) + codes[k : k + count]
        hashed = np.unique(hashed)
        hashed ^= hashed >> np.uint64(33)
        hashed *= np.uint64(0xFF51AFD7ED558CCD)
        hashed ^= hashed >> np.uint64(33)
        hashed *= np.uint64(0xC4CEB9FE1A85EC53)
        hashed ^= hashed >> np.uint64(33)
        a, b = _permutations()
        permuted = np.multiply.outer(hashed, a)
        permuted += b
        return permuted.min(axis=0)


def signature(text: str):
    """Return the MinHash (a datasketch LeanMinHash) of text's shingles, or None if text is too short."""
    values = signature_values(text)
    if values is None:
        return None
    from datasketch import LeanMinHash

    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


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


class SignatureTable:
    """The MinHash values of many articles in blocks of one array (a dict of small arrays costs about three
    times the memory, in the build's workers and again when their results are unpickled)."""

    BLOCK = 4096  # rows per block while adding

    def __init__(self) -> None:
        self.ids: list[str] = []
        self._blocks: list = []
        self._block_rows = self.BLOCK
        self._present: list[bool] = []

    def add(self, doc_id: str, values) -> None:
        """Record one article's values (None: too short for a signature)."""
        import numpy as np

        row = len(self.ids) % self._block_rows
        if row == 0:
            self._blocks.append(np.zeros((self._block_rows, NUM_PERM), dtype=np.uint64))
        if values is not None:
            self._blocks[-1][row] = values
        self.ids.append(doc_id)
        self._present.append(values is not None)

    def __len__(self) -> int:
        return len(self.ids)

    def __getstate__(self) -> dict:
        # The blocks as they are (the last one cut to its rows): a worker hands its table to the build
        # process through a pipe, and one concatenated copy of it would be as large as the table.
        used = len(self.ids) - (len(self._blocks) - 1) * self._block_rows
        blocks = [*self._blocks[:-1], self._blocks[-1][:used]] if self._blocks else []
        return {"ids": self.ids, "blocks": blocks, "rows": self._block_rows, "present": self._present}

    def __setstate__(self, state: dict) -> None:
        self.ids, self._present = state["ids"], state["present"]
        self._blocks, self._block_rows = state["blocks"], state["rows"]

    def as_dict(self) -> dict[str, object]:
        """{id: values (a view of the table's row) or None}."""
        rows = self._block_rows
        return {doc_id: self._blocks[number // rows][number % rows] if self._present[number] else None
                for number, doc_id in enumerate(self.ids)}


def _values(signature) -> object:
    """The hash values of a signature (an array, or a datasketch MinHash/LeanMinHash)."""
    return getattr(signature, "hashvalues", signature)


def cluster(signatures: dict[str, object], order: dict[str, tuple]) -> dict[str, str]:
    """Return {id: cluster id} for every id in order; signatures maps ids to MinHash values (or None).

    order maps each id to its sort key (date, id): the smallest member names the cluster.  Candidate
    pairs are those sharing one of the LSH bands datasketch's MinHashLSH(THRESHOLD, NUM_PERM) would
    use (the same b bands of r rows); a pair is joined when its estimated Jaccard similarity (the
    share of equal hash values) is at least THRESHOLD.  Clusters are the connected components.
    """
    import numpy as np

    groups = _UnionFind()
    ids = [doc_id for doc_id in sorted(signatures, key=lambda i: order.get(i, ("", i)))
           if signatures[doc_id] is not None]
    if len(ids) > 1:
        matrix = np.stack([np.asarray(_values(signatures[doc_id]), dtype=np.uint64) for doc_id in ids])
        bands, rows = LSH_BANDS, LSH_ROWS
        for band in range(bands):
            keys = np.ascontiguousarray(matrix[:, band * rows : (band + 1) * rows])
            keys = keys.view(np.dtype((np.void, keys.dtype.itemsize * rows))).ravel()
            _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
            if counts.max() < 2:
                continue
            by_key = np.argsort(inverse, kind="stable")
            bounds = np.concatenate(([0], np.cumsum(counts)))
            for start, end in zip(bounds[:-1], bounds[1:], strict=True):
                if end - start < 2:
                    continue
                members = by_key[start:end]
                # A pair sharing several bands is compared again (no memory of checked pairs: on
                # text with many shared sentences there are tens of millions of candidate pairs).
                for pos, first in enumerate(members[:-1]):
                    head = groups.find(ids[first])
                    others = [int(o) for o in members[pos + 1 :] if groups.find(ids[o]) != head]
                    if not others:
                        continue
                    similar = (matrix[others] == matrix[first]).mean(axis=1) >= THRESHOLD
                    for other, joined in zip(others, similar, strict=True):
                        if joined:
                            groups.union(ids[first], ids[other])
    members: dict[str, list[str]] = {}
    for doc_id in order:
        members.setdefault(groups.find(doc_id), []).append(doc_id)
    result = {}
    for group in members.values():
        head = min(group, key=lambda i: order[i])
        result.update(dict.fromkeys(group, head))
    return result


def load_signatures(data: bytes) -> dict[str, object] | None:
    """Return {id: uint64 hash values or None} from the bytes signatures_bytes made ({} for none).

    None if they are signatures of another hash scheme (written before HASH_SCHEME): they cannot be
    compared with new ones, so the caller recomputes them.
    """
    if not data:
        return {}
    import numpy as np

    found = np.load(io.BytesIO(data), allow_pickle=False)
    if "scheme" not in found.files or str(found["scheme"]) != HASH_SCHEME:
        return None
    ids, values, present = found["ids"].tolist(), found["values"], found["present"]
    return {doc_id: values[row] if present[row] else None for row, doc_id in enumerate(ids)}


def signatures_bytes(signatures: dict[str, object]) -> bytes:
    """The signatures (hash value arrays or MinHash objects, None for too short) as a compressed .npz file."""
    import numpy as np

    ids = sorted(signatures)
    values = np.zeros((len(ids), NUM_PERM), dtype=np.uint64)
    present = np.zeros(len(ids), dtype=bool)
    for row, doc_id in enumerate(ids):
        if signatures[doc_id] is not None:
            values[row] = _values(signatures[doc_id])
            present[row] = True
    out = io.BytesIO()
    np.savez_compressed(out, ids=np.array(ids, dtype=str), values=values, present=present,
                        scheme=np.array(HASH_SCHEME))
    return out.getvalue()

"""`python -m indexer check`: verify an index's files against each other and against the archive; repair.

Checks the newest generation: its table of contents reads; every segment file, sidecar and derived file
(pages, near-duplicate signatures and clusters, user dictionary) has the size and CRC-32 its commit
record holds; sidecars load for their segment's document count; signatures and clusters cover exactly
the indexed articles; no article is indexed twice; with an archive, every indexable archived article is
indexed (with its current content_hash) and nothing else is.  ``--repair`` recomputes what can be
recomputed (one build run under the writer lock; with the archive also missing or changed articles and the
page records) and names what needs ``build --rebuild``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from indexer.build import commit, neardup
from indexer.build.commit import Problem
from indexer.errors import IndexDamagedError, IndexNotFoundError, SchemaVersionError
from indexer.schema import build_schema, check_version, index_exists
from indexer.build.writer import BuildStats, _scan, build_index, column_values, find_sources

EXAMPLES = 3  # ids named in one line about many articles


@dataclass
class Report:
    """The outcome of a check: the problems (empty: healthy) and what was looked at."""

    index_dir: Path
    problems: list[Problem] = field(default_factory=list)
    generation: int = -1
    segments: int = 0
    articles: int = 0
    repaired: BuildStats | None = None

    @property
    def healthy(self) -> bool:
        """True if nothing is wrong."""
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem, or one line saying the index is healthy."""
        if self.healthy:
            return [f"index {self.index_dir} is healthy: {self.articles} articles in {self.segments} segments, "
                    f"generation {self.generation}"]
        return [f"index {self.index_dir}: {problem}" for problem in self.problems]


def _ids_line(ids: list[str], what: str) -> str:
    """'N articles ...' naming the first few ids."""
    shown = ", ".join(sorted(ids)[:EXAMPLES]) + (", …" if len(ids) > EXAMPLES else "")
    return f"{len(ids)} {what} ({shown})"


def check_index(index_dir: Path | str, archive: Path | str | None = None) -> Report:
    """Check the index (and, with archive, its agreement with the archive). Raises IndexNotFoundError and
    FileNotFoundError (bad usage); everything else found wrong is a Problem in the report."""
    index_dir = Path(index_dir)
    if not index_exists(index_dir):
        raise IndexNotFoundError(f"no index at {index_dir}")
    files = find_sources([archive]) if archive is not None else []
    report = Report(index_dir)
    report.generation = generation = commit.latest_generation(index_dir)
    try:
        check_version(index_dir)
        segments = commit.toc_segments(index_dir, generation)
    except SchemaVersionError as exc:
        report.problems.append(Problem("epaper-index.json", str(exc).split("; ")[0], "rebuild"))
        return report
    except IndexDamagedError as exc:
        what = str(exc).split(" is damaged: ", 1)[-1].split("; ")[0].removeprefix(f"_MAIN_{generation}.toc is ")
        report.problems.append(Problem(f"_MAIN_{generation}.toc", what, "rebuild"))
        return report
    report.segments = len(segments)
    health = commit.verify(index_dir, generation, segments)
    report.problems += health.problems
    if any(problem.fix == "rebuild" for problem in health.problems):
        return report
    storage = FileStorage(str(index_dir), supports_mmap=False, readonly=True)
    indexed = {}
    counts: Counter[str] = Counter()
    for _, _, doc_id, content_hash in column_values(storage, build_schema(), segments, ("id", "content_hash")):
        indexed[doc_id] = content_hash
        counts[doc_id] += 1
    report.articles = len(indexed)
    twice = [doc_id for doc_id, number in counts.items() if number > 1]
    if twice:
        report.problems.append(Problem("segments", _ids_line(twice, "articles are indexed more than once"),
                                       "rebuild"))
    _check_derived(index_dir, health, set(indexed), report)
    if archive is not None:
        _check_archive(files, indexed, report)
    return report


def _check_derived(index_dir: Path, health: commit.Health, ids: set[str], report: Report) -> None:
    """Signatures and clusters must cover exactly the indexed articles; page records must be complete."""
    for kind in ("minhash", "clusters", "pages"):
        entry = health.files.get(kind)
        if entry is None:
            if not any(problem.file.startswith(kind) for problem in health.problems) and ids:
                report.problems.append(Problem(f"{kind} file", "missing", "archive" if kind == "pages" else
                                               "recompute"))
            continue
        if kind == "pages":
            if entry.get("incomplete"):
                report.problems.append(Problem(entry["name"], "page records were lost to damage", "archive"))
            continue
        data = commit.read_derived(index_dir, kind, health.generation)
        found = neardup.load_signatures(data) if kind == "minhash" else commit.read_json(index_dir, kind,
                                                                                          health.generation)
        if found is None:
            report.problems.append(Problem(entry["name"], "signatures of an older hash scheme", "recompute"))
        elif set(found) != ids:
            report.problems.append(Problem(entry["name"], f"covers {len(set(found) & ids)} of the {len(ids)} "
                                           f"indexed articles and {len(set(found) - ids)} others", "recompute"))


def _check_archive(files: list[Path], indexed: dict[str, str], report: Report) -> None:
    """Every indexable archived article indexed once with its current hash, and nothing else."""
    pages: dict[str, dict] = {}
    winners = _scan(files, BuildStats(), pages)
    missing = [doc_id for doc_id in winners if doc_id not in indexed]
    stale = [doc_id for doc_id, winner in winners.items()
             if doc_id in indexed and indexed[doc_id] != winner.content_hash]
    extra = [doc_id for doc_id in indexed if doc_id not in winners]
    if missing:
        report.problems.append(Problem("archive", _ids_line(missing, "archived articles are not indexed"),
                                       "archive"))
    if stale:
        report.problems.append(Problem("archive", _ids_line(stale, "indexed articles differ from the archive"),
                                       "archive"))
    if extra:
        report.problems.append(Problem("archive", _ids_line(extra, "indexed articles are not in the archive"),
                                       "rebuild"))


def repair(index_dir: Path | str, archive: Path | str | None = None, lock_timeout: float = 5.0) -> Report:
    """Recompute what the check finds missing, stale or damaged (one build run under the writer lock; with the
    archive, also index missing and changed articles and restore the page records), then check again."""
    index_dir = Path(index_dir)
    before = check_index(index_dir, archive)
    fixable = [problem for problem in before.problems if problem.fix == "recompute"
               or (problem.fix == "archive" and archive is not None)]
    if not fixable:
        return before
    try:
        stats = build_index(index_dir, [archive] if archive is not None else [], lock_timeout=lock_timeout,
                            pages_from_archive=archive is not None)
    except IndexDamagedError:
        return before
    after = check_index(index_dir, archive)
    after.repaired = stats
    return after


"""Comparison benchmark: our index beside tantivy and SQLite FTS5 on the same synthetic articles (issue #15).

Every engine indexes the same JSONL archive of N synthetic articles (indexer/synth.py, generated in
slices of 10,000 so any N is a prefix of a larger one) in a child process, measured for CPU seconds
(self + children), wall seconds and peak PSS of the process tree; then answers the same queries, each
built once as a small tree and translated per engine with the same meaning as our query language:

- a quoted phrase = the articles whose pretitle, title, subtitle or body contains it (whitespace and
  case ignored), never across two fields;
- a plain word = the articles containing it literally, or containing all its jieba words;
- AND / OR / NOT and date ranges as usual.

tantivy: a character field (one token per non-space character, tantivy's regex tokenizer on ``\\S`` +
lowercase, one value per text field so phrases never span two) and a field of rjieba words
(pre-cut, whitespace tokenizer, BM25), the date as a fast field, the month as an integer fast field for
counts. SQLite FTS5: a trigram table of the texts (whitespace removed) for phrases and a table of
rjieba words (``ascii`` tokenizer) for words; a docs table holds dates. 繁/简 folding is ours only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]  # run as a script from anywhere, or loaded by a test

from bench_query import cjk_piece, percentile  # noqa: E402

from indexer.synth import make_records  # noqa: E402

ENGINES = ("ours", "tantivy", "fts5")
CLASSES = ("one word", "two words", "phrase 4", "phrase 10", "phrase 4 + dates", "boolean + date",
           "count by month", "top 20 + snippets")
TEXT_FIELDS = ("pretitle", "title", "subtitle", "body")
SLICE = 10_000  # articles per generator seed: N articles are the first N of any larger corpus
# Targets of issue #15 (ours against tantivy).
BUILD_CPU_RATIO = 3.0
SIZE_PER_MB = 4.0
P50_RATIO = 2.0
P95_MS = 50.0
FRESH_MEDIAN_S = 0.35
PEAK_MB = 1024.0
PEAK_AT_DOCS = 100_000
DEFAULT_CACHE = REPO / "build" / "bench" / "engines"
# What an engine answers differently from our query language (printed with the table).
CAVEATS = {
    "fts5": "trigram MATCH needs >= 3 characters: the literal part of a 1-2-character word is a LIKE scan "
            "of the trigram table (exact, but no index)",
    "tantivy": "",
    "ours": "",
}
# Printed for both other engines: folding is ours only (the issue leaves it out of the comparison).
NO_FOLDING = ("繁/简 and variant folding is ours only: a word written in another form in the corpus (汙染 for 污染, "
              "這裏 for 这里) is a hit for ours alone, listed as a mismatch")

# ---------------------------------------------------------------- corpus and queries


def corpus_records(docs: int, seed: int) -> Iterator[dict]:
    """Yield docs synthetic article records, SLICE at a time (seed*1000 + slice number seeds each slice)."""
    for start in range(0, docs, SLICE):
        yield from make_records(min(SLICE, docs - start), seed=seed * 1000 + start // SLICE)


def write_corpus(path: Path, docs: int, seed: int) -> int:
    """Write the corpus as a JSONL archive; return the UTF-8 bytes of its text fields."""
    text_bytes = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record in corpus_records(docs, seed):
            text_bytes += sum(len(record[name].encode()) for name in TEXT_FIELDS)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return text_bytes


def read_corpus(path: Path) -> Iterator[dict]:
    """Yield the records of a JSONL archive."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


@dataclass(frozen=True)
class BenchQuery:
    """One query: a tree of ("word", w) | ("phrase", p) | ("and"|"or", [nodes]) | ("not", pos, neg).

    kind: "hits" (count matching articles), "months" (matching articles per month) or "top" (the best 20
    with a snippet each); dates are inclusive YYYY-MM-DD bounds or None.
    """

    tree: tuple
    kind: str = "hits"
    date_from: str | None = None
    date_to: str | None = None


def make_queries(records: list[dict], count: int, seed: int) -> dict[str, list[BenchQuery]]:
    """Return {class: queries}: words from titles, phrases cut from bodies (CJK characters only)."""
    from indexer.analyzers import cut_words

    rng = random.Random(seed)
    words = sorted({w for r in records[:2000] for w in cut_words(r["title"]) if len(w) >= 2})
    dates = sorted({r["date"] for r in records})

    def word() -> tuple:
        return ("word", rng.choice(words))

    def phrase(length: int) -> tuple:
        return ("phrase", cjk_piece(rng, records, length))

    def dated(tree: tuple) -> BenchQuery:
        first = rng.randrange(max(1, len(dates) - 60))
        last = min(len(dates) - 1, first + rng.randrange(7, 60))
        return BenchQuery(tree, date_from=dates[first], date_to=dates[last])

    return {
        "one word": [BenchQuery(word()) for _ in range(count)],
        "two words": [BenchQuery(("and", [word(), word()])) for _ in range(count)],
        "phrase 4": [BenchQuery(phrase(4)) for _ in range(count)],
        "phrase 10": [BenchQuery(phrase(10)) for _ in range(count)],
        "phrase 4 + dates": [dated(phrase(4)) for _ in range(count)],
        "boolean + date": [dated(("not", ("or", [word(), word()]), word())) for _ in range(count)],
        "count by month": [BenchQuery(word(), kind="months") for _ in range(count)],
        "top 20 + snippets": [BenchQuery(word(), kind="top") for _ in range(count)],
    }


def words_of(text: str) -> list[str]:
    """rjieba default-mode words of text with a letter or digit, lowercased (the other engines' word terms)."""
    import rjieba

    return [w.lower() for w in rjieba.cut(text) if any(ch.isalnum() for ch in w)]


def chars_of(text: str) -> str:
    """The text as a phrase is matched: whitespace removed, lowercased."""
    return "".join(text.split()).lower()


def month_key(day: str) -> str:
    """YYYY-MM of a YYYY-MM-DD date."""
    return day[:7]


# ---------------------------------------------------------------- engines


class Ours:
    """Our index: built with build_index as `python -m indexer build`, queried through search/count."""

    name = "ours"

    @staticmethod
    def build(corpus: Path, out: Path) -> None:
        """Index the JSONL archive into out (rebuilding)."""
        from indexer.build.writer import build_index

        build_index(out, [corpus], rebuild=True)

    def __init__(self, out: Path) -> None:
        self.index = out

    @staticmethod
    def query_text(tree: tuple) -> str:
        """The query in our query language."""
        kind = tree[0]
        if kind == "word":
            return tree[1]
        if kind == "phrase":
            return f'"{tree[1]}"'
        if kind == "and":
            return " ".join(Ours._grouped(node) for node in tree[1])
        if kind == "or":
            return " OR ".join(Ours._grouped(node) for node in tree[1])
        return f"{Ours._grouped(tree[1])} NOT {Ours._grouped(tree[2])}"

    @staticmethod
    def _grouped(tree: tuple) -> str:
        """query_text, parenthesized when it is a compound."""
        text = Ours.query_text(tree)
        return text if tree[0] in ("word", "phrase") else f"({text})"

    def run(self, query: BenchQuery) -> int | dict:
        """Answer one query: hit count, {month: hits} or the number of top hits with a snippet."""
        from indexer.query.count import count
        from indexer.query.search import search

        text = self.query_text(query.tree)
        if query.kind == "months":
            result = count(self.index, text, "month", date_from=query.date_from, date_to=query.date_to)
            return {bucket.label: bucket.hits for bucket in result.buckets if bucket.hits}
        limit = 20 if query.kind == "top" else 0
        result = search(self.index, text, date_from=query.date_from, date_to=query.date_to, limit=limit)
        if query.kind == "top":
            return sum(1 for hit in result.hits if hit["snippet"])
        return result.total


TANTIVY_FRESH = """
import sys, tantivy
index = tantivy.Index.open(sys.argv[1])
index.register_tokenizer("chars", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"\\S"))
                         .filter(tantivy.Filter.lowercase()).build())
searcher = index.searcher()
query = tantivy.Query.phrase_query(index.schema, "chars", list(sys.argv[2]))
result = searcher.search(query, 20)
print(result.count, *(searcher.doc(address)["title"][0] for _, address in result.hits))
"""


class Tantivy:
    """tantivy-py: a character field, a jieba-word field, date and month fast fields."""

    name = "tantivy"

    @staticmethod
    def _schema():
        """The schema (fields: id, title stored; chars stored, positions; words; date; month)."""
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", stored=True, index_option="basic", tokenizer_name="raw")
        builder.add_text_field("chars", stored=True, tokenizer_name="chars", index_option="position")
        builder.add_text_field("words", stored=False, tokenizer_name="whitespace", index_option="freq")
        builder.add_date_field("date", indexed=True, fast=True, stored=False)
        builder.add_integer_field("month", indexed=False, fast=True, stored=False)
        return builder.build()

    @staticmethod
    def _register(index) -> None:
        """Register the character analyzer (a regex tokenizer on one non-space char, lowercased)."""
        import tantivy

        analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"\S")).filter(tantivy.Filter.lowercase())
        index.register_tokenizer("chars", analyzer.build())

    @staticmethod
    def build(corpus: Path, out: Path) -> None:
        """Index the JSONL archive into out (tantivy's default writer, merges waited for)."""
        import tantivy

        out.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(Tantivy._schema(), path=str(out))
        Tantivy._register(index)
        writer = index.writer()
        for record in read_corpus(corpus):
            texts = [record.get(name) or "" for name in TEXT_FIELDS]
            day = dt.datetime.strptime(record["date"], "%Y-%m-%d")
            writer.add_document(tantivy.Document(
                id=record["id"], title=record["title"], chars=texts,
                words=[" ".join(words_of(text)) for text in texts],
                date=day, month=day.year * 100 + day.month))
        writer.commit()
        writer.wait_merging_threads()

    def __init__(self, out: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.index = tantivy.Index.open(str(out))
        self._register(self.index)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def _phrase(self, text: str):
        """Phrase query over the character field (a term query for one character)."""
        chars = list(chars_of(text))
        if len(chars) == 1:
            return self.tantivy.Query.term_query(self.schema, "chars", chars[0])
        return self.tantivy.Query.phrase_query(self.schema, "chars", chars)

    def _query(self, tree: tuple):
        """Translate a query tree."""
        query, occur = self.tantivy.Query, self.tantivy.Occur
        kind = tree[0]
        if kind == "phrase":
            return self._phrase(tree[1])
        if kind == "word":
            words = [query.term_query(self.schema, "words", w) for w in words_of(tree[1])]
            if not words:
                return self._phrase(tree[1])
            every = query.boolean_query([(occur.Must, w) for w in words])
            return query.boolean_query([(occur.Should, self._phrase(tree[1])), (occur.Should, every)])
        if kind == "and":
            return query.boolean_query([(occur.Must, self._query(node)) for node in tree[1]])
        if kind == "or":
            return query.boolean_query([(occur.Should, self._query(node)) for node in tree[1]])
        return query.boolean_query([(occur.Must, self._query(tree[1])), (occur.MustNot, self._query(tree[2]))])

    def _with_dates(self, query: BenchQuery):
        """The translated query, with the date range as a filter on the date field."""
        translated = self._query(query.tree)
        if not (query.date_from or query.date_to):
            return translated
        bounds = [dt.datetime.strptime(day, "%Y-%m-%d") if day else None for day in (query.date_from, query.date_to)]
        dates = self.tantivy.Query.range_query(self.schema, "date", self.tantivy.FieldType.Date,
                                               bounds[0] or self.tantivy.MIN_DATETIME,
                                               bounds[1] or self.tantivy.MAX_DATETIME)
        occur = self.tantivy.Occur
        return self.tantivy.Query.boolean_query([(occur.Must, translated), (occur.Must, dates)])

    def run(self, query: BenchQuery) -> int | dict:
        """Answer one query as Ours.run does."""
        translated = self._with_dates(query)
        if query.kind == "months":
            found = self.searcher.aggregate(translated, {"m": {"terms": {"field": "month", "size": 100_000}}})
            return {f"{b['key'] // 100:04d}-{b['key'] % 100:02d}": b["doc_count"] for b in found["m"]["buckets"]}
        if query.kind == "top":
            result = self.searcher.search(translated, 20)
            snippets = self.tantivy.SnippetGenerator.create(self.searcher, translated, self.schema, "chars")
            return sum(1 for _, address in result.hits
                       if snippets.snippet_from_doc(self.searcher.doc(address)).fragment())
        return self.searcher.search(translated, 1, count=True).count  # tantivy refuses a limit of 0


FTS5_FRESH = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT d.rowid, d.title FROM tri JOIN docs d ON d.rowid = tri.rowid WHERE tri MATCH ? "
                  "ORDER BY d.date DESC LIMIT 20", ['"' + sys.argv[2] + '"']).fetchall()
print(db.execute("SELECT count(*) FROM tri WHERE tri MATCH ?", ['"' + sys.argv[2] + '"']).fetchone()[0], *rows)
"""


class Fts5:
    """SQLite FTS5: a trigram table for phrases, a jieba-word table for words, a docs table for dates."""

    name = "fts5"
    FILE = "index.sqlite"

    @staticmethod
    def build(corpus: Path, out: Path) -> None:
        """Index the JSONL archive into out/index.sqlite (one transaction, then FTS5 'optimize')."""
        import sqlite3

        out.mkdir(parents=True, exist_ok=True)
        path = out / Fts5.FILE
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, date TEXT, title TEXT);
            CREATE INDEX docs_date ON docs (date);
            CREATE VIRTUAL TABLE tri USING fts5 (pretitle, title, subtitle, body, tokenize = 'trigram');
            CREATE VIRTUAL TABLE words USING fts5 (pretitle, title, subtitle, body, tokenize = 'ascii',
                                                   content = '');
        """)
        docs, tri, words = [], [], []

        def flush() -> None:
            db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", docs)
            db.executemany("INSERT INTO tri (rowid, pretitle, title, subtitle, body) VALUES (?, ?, ?, ?, ?)", tri)
            db.executemany("INSERT INTO words (rowid, pretitle, title, subtitle, body) VALUES (?, ?, ?, ?, ?)", words)
            docs.clear(), tri.clear(), words.clear()

        with db:
            for rowid, record in enumerate(read_corpus(corpus), 1):
                texts = [record.get(name) or "" for name in TEXT_FIELDS]
                docs.append((rowid, record["id"], record["date"], record["title"]))
                tri.append((rowid, *("".join(text.split()) for text in texts)))
                words.append((rowid, *(" ".join(words_of(text)) for text in texts)))
                if len(docs) >= 1000:
                    flush()
            flush()
            db.execute("INSERT INTO tri (tri) VALUES ('optimize')")
            db.execute("INSERT INTO words (words) VALUES ('optimize')")
        db.close()

    def __init__(self, out: Path) -> None:
        import sqlite3

        self.db = sqlite3.connect(out / self.FILE)

    def _sql(self, tree: tuple, args: list) -> str:
        """A SELECT of the matching rowids (as id) for a query tree; its parameters go to args."""
        kind = tree[0]
        if kind == "phrase":
            return self._literal(tree[1], args)
        if kind == "word":
            words = words_of(tree[1])
            literal = self._literal(tree[1], args)
            if not words:
                return literal
            args.append(" AND ".join(f'"{w}"' for w in words))
            return f"{literal} UNION SELECT rowid AS id FROM words WHERE words MATCH ?"
        parts = [self._sql(node, args) for node in (tree[1] if kind in ("and", "or") else tree[1:])]
        joiner = {"and": " INTERSECT ", "or": " UNION ", "not": " EXCEPT "}[kind]
        return joiner.join(f"SELECT id FROM ({part})" for part in parts)

    @staticmethod
    def _literal(text: str, args: list) -> str:
        """Rowids of the texts containing text (whitespace removed): trigram MATCH, or LIKE under 3 chars."""
        chars = chars_of(text)
        if len(chars) >= 3:
            args.append(f'"{chars}"')
            return "SELECT rowid AS id FROM tri WHERE tri MATCH ?"
        pattern = "%" + chars.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args.extend([pattern] * len(TEXT_FIELDS))
        return "SELECT rowid AS id FROM tri WHERE " + " OR ".join(f"{name} LIKE ? ESCAPE '\\'" for name in TEXT_FIELDS)

    def run(self, query: BenchQuery) -> int | dict:
        """Answer one query as Ours.run does."""
        args: list = []
        sql = self._sql(query.tree, args)
        where, dates = "", []
        if query.date_from or query.date_to:
            where = " AND d.date BETWEEN ? AND ?"
            dates = [query.date_from or "0000-00-00", query.date_to or "9999-99-99"]
        hits = f"SELECT d.rowid, d.date FROM docs d WHERE d.rowid IN ({sql}){where}"
        if query.kind == "months":
            rows = self.db.execute(f"SELECT substr(date, 1, 7), count(*) FROM ({hits}) GROUP BY 1", args + dates)
            return dict(rows.fetchall())
        if query.kind == "top":
            words = words_of(query.tree[1])
            ranked = self.db.execute(
                f"SELECT h.rowid FROM ({hits}) h LEFT JOIN (SELECT rowid, rank FROM words WHERE words MATCH ?) w "
                "ON w.rowid = h.rowid ORDER BY w.rank IS NULL, w.rank LIMIT 20",
                [*args, *dates, " OR ".join(f'"{w}"' for w in words) or '""']).fetchall()
            terms = [chars_of(query.tree[1]), *words]
            found = 0
            for (rowid,) in ranked:
                texts = self.db.execute("SELECT title, body FROM tri WHERE rowid = ?", (rowid,)).fetchone()
                found += bool(snippet(" ".join(texts), terms))
            return found
        return self.db.execute(f"SELECT count(*) FROM ({hits})", args + dates).fetchone()[0]


def snippet(text: str, terms: list[str], width: int = 40) -> str:
    """Up to 2*width characters of text around the first of terms found, the term in [brackets] ("" if none)."""
    lowered = text.lower()
    for term in terms:
        at = lowered.find(term) if term else -1
        if at >= 0:
            end = at + len(term)
            return f"{text[max(0, at - width) : at]}[{text[at:end]}]{text[end : end + width]}"
    return ""


ENGINE_CLASSES = {"ours": Ours, "tantivy": Tantivy, "fts5": Fts5}


def fresh_commands(engine: str, index: Path, phrase: str) -> dict[str, list[str]]:
    """{label: argv} of the fresh processes answering one phrase query on an engine's index."""
    if engine == "ours":
        commands = {"search_cli.py": [sys.executable, str(REPO / "search_cli.py"), f'"{phrase}"', "--index",
                                      str(index)]}
        script = Path(sys.executable).with_name("epaper")
        if script.exists():
            commands["epaper search"] = [str(script), "search", f'"{phrase}"', "--index", str(index)]
        return commands
    if engine == "tantivy":
        return {"minimal script": [sys.executable, "-c", TANTIVY_FRESH, str(index), phrase]}
    return {"minimal script": [sys.executable, "-c", FTS5_FRESH, str(index / Fts5.FILE), phrase]}


# ---------------------------------------------------------------- measuring


def pss_kb(pid: int) -> int:
    """PSS of one process in KB from /proc/PID/smaps_rollup (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_kb(pid: int) -> int:
    """Summed PSS in KB of a process and all its descendants."""
    import psutil

    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return 0
    return pss_kb(pid) + sum(pss_kb(child.pid) for child in children)


@dataclass
class BuildFigures:
    """What one build cost: CPU and wall seconds, peak PSS (MB) of its process tree, index bytes."""

    cpu_s: float
    wall_s: float
    peak_mb: float
    index_bytes: int
    docs: int
    text_bytes: int
    measured: str = field(default_factory=lambda: dt.datetime.now().isoformat(timespec="seconds"))


def dir_size(path: Path) -> int:
    """Total bytes of the files under path."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measured_build(engine: str, corpus: Path, out: Path, docs: int, text_bytes: int,
                   interval: float = 0.2) -> BuildFigures:
    """Build an engine's index in a child process; its CPU (wait4: self + waited children), wall and peak PSS."""
    shutil.rmtree(out, ignore_errors=True)
    index = out / "index"
    index.mkdir(parents=True)
    log = (out / "build.log").open("wb")
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--build-child", engine, str(corpus),
                              str(index)], stdout=log, stderr=subprocess.STDOUT)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_pss_kb(child.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    log.close()
    if child.returncode != 0:
        lines = (out / "build.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
        raise SystemExit(f"bench_engines: the {engine} build failed (exit {child.returncode}): "
                         f"{lines[-1] if lines else 'no output'} (log: {out / 'build.log'})")
    figures = BuildFigures(usage.ru_utime + usage.ru_stime, wall, peak / 1024, dir_size(index), docs, text_bytes)
    (out / "build.json").write_text(json.dumps(figures.__dict__), encoding="utf-8")
    return figures


def hit_total(answer: int | dict) -> int:
    """The number of articles an answer counts."""
    return sum(answer.values()) if isinstance(answer, dict) else answer


def mismatches(answers: dict[str, dict[str, list]], queries: dict[str, list[BenchQuery]]) -> list[str]:
    """One line per (engine, query) whose answer differs from ours; answers = {engine: {class: [answer]}}."""
    lines = []
    for engine, by_class in answers.items():
        if engine == "ours":
            continue
        for name, theirs in by_class.items():
            for query, mine, other in zip(queries[name], answers["ours"][name], theirs, strict=True):
                if mine != other:
                    lines.append(f"{engine} {name} {Ours.query_text(query.tree)!r}: ours {hit_total(mine)}, "
                                 f"{engine} {hit_total(other)}" + (" (per month differs)" if hit_total(mine)
                                                                   == hit_total(other) else ""))
    return lines


def time_queries(engine, queries: list[BenchQuery]) -> tuple[list, list[float]]:
    """Answer each query once to warm up, then again timed; return (answers, milliseconds)."""
    answers = [engine.run(query) for query in queries]
    times = []
    for query in queries:
        started = time.perf_counter()
        engine.run(query)
        times.append((time.perf_counter() - started) * 1000)
    return answers, times


def fresh_times(argv: list[str], runs: int) -> list[float]:
    """Wall seconds of runs fresh processes running argv (each must succeed)."""
    times = []
    env = {**os.environ, "COLUMNS": "160"}
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"bench_engines: {shlex.join(argv[:2])} failed: {done.stderr.strip()[-300:]}")
    return times


# ---------------------------------------------------------------- one size


def run_size(docs: int, args: argparse.Namespace) -> dict:
    """Build (or reuse) every engine's index of docs articles, query them; return the figures."""
    cache: Path = args.cache
    dirs = {engine: cache / f"{engine}-{docs}-{args.seed}" for engine in args.engines}
    builds: dict[str, dict] = {}
    corpus = cache / f"corpus-{docs}-{args.seed}.jsonl"
    text_bytes = None
    for engine in args.engines:
        marker = dirs[engine] / "build.json"
        if not args.rebuild and marker.exists():
            builds[engine] = {**json.loads(marker.read_text(encoding="utf-8")), "reused": True}
            continue
        if text_bytes is None:
            print(f"[{docs}] writing the corpus ({docs} articles, seed {args.seed}) …", flush=True)
            text_bytes = write_corpus(corpus, docs, args.seed)
        print(f"[{docs}] building {engine} …", flush=True)
        figures = measured_build(engine, corpus, dirs[engine], docs, text_bytes)
        builds[engine] = {**figures.__dict__, "reused": False}
        print(f"[{docs}] {engine}: {figures.cpu_s:.1f} CPU s, {figures.wall_s:.1f} s wall, "
              f"peak PSS {figures.peak_mb:.0f} MB", flush=True)
    corpus.unlink(missing_ok=True)

    records = make_records(min(SLICE, docs), seed=args.seed * 1000)
    queries = make_queries(records, args.queries, args.seed)
    del records
    opened = {engine: ENGINE_CLASSES[engine](dirs[engine] / "index") for engine in args.engines}
    answers: dict[str, dict[str, list]] = {engine: {} for engine in args.engines}
    latency: dict[str, dict[str, dict]] = {engine: {} for engine in args.engines}
    for name in CLASSES:
        for engine in args.engines:
            found, times = time_queries(opened[engine], queries[name])
            answers[engine][name] = found
            latency[engine][name] = {"p50": percentile(times, 50), "p95": percentile(times, 95),
                                     "max": max(times), "avg_hits": sum(map(hit_total, found)) / len(found)}
    opened.clear()
    phrase = queries["phrase 4"][0].tree[1]
    fresh: dict[str, dict[str, dict]] = {}
    for engine in args.engines:
        fresh[engine] = {}
        for label, argv in fresh_commands(engine, dirs[engine] / "index", phrase).items():
            times = fresh_times(argv, args.fresh_runs)
            fresh[engine][label] = {"median": statistics.median(times), "max": max(times), "runs": len(times)}
    return {"docs": docs, "builds": builds, "latency": latency, "fresh": fresh, "fresh_phrase": phrase,
            "mismatches": mismatches(answers, queries) if "ours" in answers else [],
            "queries": args.queries}


# ---------------------------------------------------------------- report


def ratio(mine: float | None, theirs: float | None) -> str:
    """ours/theirs as text ("-" when either is missing)."""
    return f"{mine / theirs:.2f}×" if mine is not None and theirs else "-"


def verdict(ok: bool | None) -> str:
    """Met / not met / no target here."""
    return "-" if ok is None else ("met" if ok else "NOT met")


def table(result: dict, engines: list[str]) -> list[str]:
    """Markdown table of one size: a row per figure, a column per engine, ratios, target, met or not."""
    docs, builds = result["docs"], result["builds"]
    others = [engine for engine in engines if engine != "ours"]
    head = ["figure", *engines, *(f"ours/{e}" for e in others if "ours" in engines), "target", "met"]
    rows = [head, ["---"] * len(head)]

    def add(figure: str, values: dict[str, float | None], fmt: str, target: str = "-",
            ok: bool | None = None) -> None:
        shown = [format(values[e], fmt) if values.get(e) is not None else "-" for e in engines]
        ratios = [ratio(values.get("ours"), values.get(e)) for e in others] if "ours" in engines else []
        rows.append([figure, *shown, *ratios, target, verdict(ok)])

    def get(engine: str, key: str) -> float | None:
        return builds[engine][key] if engine in builds else None

    per_article = {e: get(e, "cpu_s") * 1000 / docs for e in engines}
    tantivy = "tantivy" in engines and "ours" in engines
    add("build CPU ms per article", per_article, ".2f", f"≤ {BUILD_CPU_RATIO:g}× tantivy",
        per_article["ours"] <= BUILD_CPU_RATIO * per_article["tantivy"] if tantivy else None)
    add("build CPU s (self + children)", {e: get(e, "cpu_s") for e in engines}, ".1f")
    add("build wall s", {e: get(e, "wall_s") for e in engines}, ".1f")
    peak = {e: get(e, "peak_mb") for e in engines}
    add("build peak PSS MB (process tree)", peak, ".0f", f"≤ {PEAK_MB:g} MB at {PEAK_AT_DOCS:,}",
        peak["ours"] <= PEAK_MB if "ours" in engines and docs == PEAK_AT_DOCS else None)
    size = {e: get(e, "index_bytes") / get(e, "text_bytes") for e in engines}
    add("index MB per MB of text", size, ".2f", f"≤ {SIZE_PER_MB:g}",
        size["ours"] <= SIZE_PER_MB if "ours" in engines else None)
    for name in CLASSES:
        p50 = {e: result["latency"][e][name]["p50"] for e in engines}
        p95 = {e: result["latency"][e][name]["p95"] for e in engines}
        add(f"{name}: warm p50 ms", p50, ".2f", f"≤ {P50_RATIO:g}× tantivy",
            p50["ours"] <= P50_RATIO * p50["tantivy"] if tantivy else None)
        add(f"{name}: warm p95 ms", p95, ".2f", f"≤ {P95_MS:g} ms",
            p95["ours"] <= P95_MS if "ours" in engines else None)
    minimal = {e: next(iter(result["fresh"][e].values())) for e in others}
    for label, times in result["fresh"].get("ours", {}).items():
        for stat in ("median", "max"):
            values = {"ours": times[stat], **{e: minimal[e][stat] for e in others}}
            ok = times[stat] <= FRESH_MEDIAN_S if stat == "median" else None
            add(f"fresh process, one phrase: {stat} s (ours: {label})", values, ".2f",
                f"≤ {FRESH_MEDIAN_S:g} s" if stat == "median" else "-", ok)
    return [" | ".join(["", *row, ""]).strip() for row in rows]


def growth(results: list[dict], engines: list[str]) -> list[str]:
    """Markdown table across sizes: build CPU ms per article and warm p95 per class, per engine."""
    head = ["engine", "figure", *(f"{r['docs']:,}" for r in results)]
    rows = [head, ["---"] * len(head)]
    for engine in engines:
        rows.append([engine, "build CPU ms per article",
                     *(f"{r['builds'][engine]['cpu_s'] * 1000 / r['docs']:.2f}" for r in results)])
        for name in CLASSES:
            rows.append([engine, f"{name}: p95 ms", *(f"{r['latency'][engine][name]['p95']:.1f}" for r in results)])
    return [" | ".join(["", *row, ""]).strip() for row in rows]


def reproduce(args: argparse.Namespace) -> str:
    """The command that reproduces this run."""
    command = ["python", "bench/bench_engines.py", "--docs", *map(str, args.docs), "--engines", *args.engines,
               "--queries", str(args.queries), "--fresh-runs", str(args.fresh_runs), "--seed", str(args.seed)]
    if args.cache != DEFAULT_CACHE:
        command += ["--cache", str(args.cache)]
    if args.rebuild:
        command.append("--rebuild")
    return ".venv/bin/" + shlex.join(command)


def commit_id() -> str:
    """The checkout's commit (short), or "unknown"."""
    done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def positive(text: str) -> int:
    """argparse type: an integer ≥ 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--build-child"]:
        engine, corpus, out = argv[1:4]
        ENGINE_CLASSES[engine].build(Path(corpus), Path(out))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=positive, nargs="+", default=[20_000],
                        help="corpus sizes (default 20000), e.g. --docs 20000 100000 300000")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES),
                        help="engines to compare (default: all three)")
    parser.add_argument("--queries", type=positive, default=50, help="queries per class (default 50)")
    parser.add_argument("--fresh-runs", type=positive, default=7, help="fresh processes per command (default 7)")
    parser.add_argument("--seed", type=int, default=1, help="corpus and query random seed (default 1)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where indexes are kept (default build/bench/engines)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild indexes even when cached")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.engines = list(dict.fromkeys(args.engines))
    if args.json and not args.json.parent.is_dir():
        parser.error(f"--json: no folder {args.json.parent}")
    for module in ["psutil", *(["tantivy"] if "tantivy" in args.engines else [])]:
        try:
            __import__(module)
        except ImportError:
            parser.error(f"{module} is not installed: pip install -e '.[bench]'")

    load_start = os.getloadavg()
    results = [run_size(docs, args) for docs in args.docs]
    load_end = os.getloadavg()
    engines = args.engines
    commit = commit_id()
    print(f"\nmachine: {os.cpu_count()} CPUs; load average {load_start[0]:.2f} at the start, "
          f"{load_end[0]:.2f} at the end; commit {commit}; {dt.date.today().isoformat()}")
    for result in results:
        reused = [e for e in engines if result["builds"][e]["reused"]]
        note = f" (build figures reused from the cache: {', '.join(reused)})" if reused else ""
        print(f"\n{result['docs']:,} articles, {args.queries} queries per class, fresh phrase "
              f"'{result['fresh_phrase']}'{note}\n")
        print("\n".join(table(result, engines)))
        print(f"\nfairness: {'every answer equals ours' if not result['mismatches'] else 'MISMATCHES'}"
              f" ({len(CLASSES)} classes × {args.queries} queries)")
        for line in result["mismatches"]:
            print(f"  mismatch: {line}")
    caveats = [f"{e}: {CAVEATS[e]}" for e in engines if CAVEATS[e]]
    if set(engines) - {"ours"}:
        caveats.append(f"{', '.join(e for e in engines if e != 'ours')}: {NO_FOLDING}")
    for line in caveats:
        print(f"note: {line}")
    if len(results) > 1:
        print("\ngrowth (should be flat):\n")
        print("\n".join(growth(results, engines)))
    command = reproduce(args)
    print(f"\nreproduce: {command}")
    if args.json:
        payload = {"commit": commit, "date": dt.date.today().isoformat(), "cpus": os.cpu_count(),
                   "load_start": load_start, "load_end": load_end, "command": command, "caveats": caveats,
                   "results": results, "rusage_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

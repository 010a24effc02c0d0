"""Fixture archive for the indexer and search tests: the real seed front page plus written articles."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from indexer.analyzers import fold, normalize
from indexer.synth import SEED_ARTICLES, article_body

TEXT_FIELDS = ("pretitle", "title", "subtitle", "body")


def _record(doc_id: str, paper: str, paper_name: str, date: str, page_no: str, page_name: str,
            title: str, body: str, *, pretitle: str = "", subtitle: str = "", author: str = "") -> dict:
    """Return an archive article record with a content hash of its texts."""
    digest = hashlib.sha1("\x00".join((pretitle, title, subtitle, author, body)).encode()).hexdigest()
    return {
        "type": "article", "id": doc_id, "paper": paper, "paper_name": paper_name, "date": date,
        "page_no": page_no, "page_name": page_name, "pretitle": pretitle, "title": title,
        "subtitle": subtitle, "author": author, "body": body, "images": [],
        "url": f"https://example.invalid/{doc_id}.html", "page_url": "", "pdf_url": "",
        "fetched_at": "2025-03-19T08:00:00+08:00", "content_hash": digest,
    }


def _seed(key: str) -> dict:
    """Return the seed article with the given key."""
    return next(article for article in SEED_ARTICLES if article["key"] == key)


def _from_seed(doc_id: str, key: str, page_no: str, page_name: str) -> dict:
    """Return a 西海岸新闻 2025-03-19 record built from a seed article."""
    seed = _seed(key)
    return _record(doc_id, "xihaian", "西海岸新闻", "2025-03-19", page_no, page_name, seed["title"],
                   article_body(seed), pretitle=seed["pretitle"], subtitle=seed["subtitle"],
                   author=seed["author"])


def fixture_records() -> list[dict]:
    """Return the indexable articles of the fixture archive (final versions, one per id)."""
    return [
        _from_seed("xh-sun", "sun", "01", "要闻"),
        _from_seed("xh-hydro", "hydro", "01", "要闻"),
        _from_seed("xh-project", "project", "01", "要闻"),
        _from_seed("xh-comment", "comment", "02", "评论"),
        _record("qd-national-day", "qingdao", "青岛日报", "2024-10-01", "A03", "时政",
                "庆祝中华人民共和国成立75周年",
                "全市各界以多种形式庆祝中华人民共和国成立75周年。\n"
                "市民在五四广场观看升旗仪式，表达对祖国的美好祝愿。",
                author="李华"),
        _record("jz-quality", "jiaozhou", "胶州日报", "2025-01-15", "03", "经济",
                "以高质量的服务促进企业发展",
                "高质量的产品来自高质量的服务，高质量是企业的生命线。\n"
                "发展是第一要务，发展速度加快，发展质量提升，企业发展信心增强。",
                pretitle="高质量的产品", subtitle="发展才有高质量的未来", author="王强"),
        _record("jz-port", "jiaozhou", "胶州日报", "2025-02-10", "2", "港口",
                "Qingdao港口货物吞吐量创新高",
                "2024-2026年，Qingdao港口将推进智慧港口建设。\n"
                "港口集团表示，新区工委提出的目标正在落实。",
                pretitle="港口观察", subtitle="智慧港口建设提速", author="赵敏"),
        _record("xh-veterans", "xihaian", "西海岸新闻", "2025-03-20", "01", "要闻",
                "新区推动退役军人就业",
                "新区举办退役军人专场招聘会，提供岗位一千余个。\n"
                "退役军人事务局表示，将持续做好就业服务。",
                author="丁霞"),
    ]


def _lines(records: list[dict]) -> list[str]:
    """Return JSONL lines for records."""
    return [json.dumps(record, ensure_ascii=False) for record in records]


def write_archive(root: Path) -> Path:
    """Write the fixture archive (with noise: pages, non-article kinds, a stale duplicate, bad lines)."""
    records = fixture_records()
    by_id = {record["id"]: record for record in records}
    stale = dict(by_id["xh-veterans"], title="旧标题", body="旧的正文内容", content_hash="stale")
    guide = _record("xh-guide", "xihaian", "西海岸新闻", "2025-03-19", "01", "要闻", "今日导读",
                    "新区推动退役军人就业 见第二版")
    guide["kind"] = "guide"
    page = {"type": "page", "paper": "xihaian", "date": "2025-03-19", "page_no": "01", "page_name": "要闻"}
    day1 = root / "xihaian" / "2025" / "2025-03-19.jsonl"
    day2 = root / "xihaian" / "2025" / "2025-03-20.jsonl"
    other = root / "others" / "misc.jsonl"
    for path in (day1, day2, other):
        path.parent.mkdir(parents=True, exist_ok=True)
    day1.write_text("\n".join(
        [json.dumps(page)] + _lines([by_id[i] for i in ("xh-sun", "xh-hydro", "xh-project", "xh-comment")])
        + _lines([guide, stale]) + ['{"type": "article", "id": ', ""]
    ), encoding="utf-8")
    day2.write_text("\n".join(_lines([by_id["xh-veterans"]]) + ["[1, 2]"]) + "\n", encoding="utf-8")
    other.write_text("\n".join(_lines([by_id[i] for i in ("qd-national-day", "jz-quality", "jz-port")]))
                     + "\n", encoding="utf-8")
    (root / "notes.txt").write_text("not an archive file\n", encoding="utf-8")
    return root


BAD_LINES_IN_ARCHIVE = 2
SKIPPED_KINDS_IN_ARCHIVE = 1
ARTICLE_RECORDS_IN_ARCHIVE = 9  # 8 final articles + 1 stale duplicate


def _latin(ch: str) -> bool:
    """A letter or digit of a script with spaces between words."""
    return ch.isalnum() and (ord(ch) < 0x2E80 or 0xFF10 <= ord(ch) <= 0xFF5A)


def _contains_at(text: str, target: str, start: int) -> int | None:
    """End (in text) of target matched from text[start], whitespace inside skipped; None if it does not match."""
    at = start
    for ch in target:
        while at > start and at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text) or text[at] != ch:
            return None
        at += 1
    return at


def contains(record: dict, needle: str, fields: tuple[str, ...] = TEXT_FIELDS) -> bool:
    """Brute force: does any field of record contain needle (whitespace- and case-insensitively), a Latin
    letter or digit at either end of the needle not continuing a Latin word of the text?"""
    target = normalize(needle)
    for name in fields:
        text = fold(record.get(name, "") or "")  # same length as the text
        for start in range(len(text)):
            end = _contains_at(text, target, start) if target else None
            if end is None:
                continue
            if _latin(target[0]) and start and _latin(text[start - 1]):
                continue
            if _latin(target[-1]) and end < len(text) and _latin(text[end]):
                continue
            return True
    return False


def brute_force(records: list[dict], needle: str, fields: tuple[str, ...] = TEXT_FIELDS) -> set[str]:
    """Return the ids of records containing needle."""
    return {record["id"] for record in records if contains(record, needle, fields)}


def build_fixture_index(root: Path) -> Path:
    """Write the fixture archive under root and index it; return the index directory."""
    from indexer.build.writer import build_index

    archive = write_archive(root / "archive")
    index_dir = root / "index"
    build_index(index_dir, [archive])
    return index_dir


# ---------------------------------------------------------------- extended corpus (research extras)


def _edit(text: str, replacements: list[tuple[str, str]]) -> str:
    """Apply small edits (each must hit) to text."""
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def extra_records() -> list[dict]:
    """Articles for proximity, wildcard, traditional script, near-duplicates and continuations."""
    hydro = article_body(_seed("hydro"))
    records = [
        _record("prox-1", "qingdao", "青岛日报", "2025-03-03", "A01", "要闻", "港区动态",
                "董家口经济区重点项目开工。"),  # 董家口 … 项目: gap 5 (经济区重点), in order
        _record("prox-2", "qingdao", "青岛日报", "2025-03-04", "A01", "要闻", "项目落户",
                "新的项目落户董家口。"),  # 项目 … 董家口: gap 2 (落户), reversed
        _record("prox-3", "qingdao", "青岛日报", "2025-03-05", "A02", "城市",
                "港城风貌", "董家口的海边风光很好，游客络绎不绝，周末更是热闹非凡，很多市民前来观光。那里也有项目。"),
        _record("wild-1", "jiaozhou", "胶州日报", "2025-03-06", "03", "经济", "新能源",
                "发展氢能，是未来的方向。"),  # 氢能 followed by punctuation only
        _record("wild-2", "jiaozhou", "胶州日报", "2025-03-06", "03", "经济", "新车上路",
                "首批氢能汽车上路运行。"),
        _record("tw-trad", "taiwan", "臺灣日報", "2025-03-07", "1", "兩岸",
                "臺灣企業家參觀董家口港區", "臺灣企業家一行參觀了董家口港區，表示將擴大投資。"),
        _record("tw-simp", "qingdao", "青岛日报", "2025-03-08", "A05", "两岸",
                "台湾青年来青创业", "多名台湾青年在西海岸新区创业。"),
        # planted near-duplicates of xh-hydro (2025-03-19): small edits, other papers and days
        _record("dup-hydro-1", "jiaozhou", "胶州日报", "2025-03-20", "02", "综合",
                "“资源延伸·网点办”便民服务网点启用",
                _edit(hydro, [("3月14日", "3月15日"), ("百余个", "一百多个")]), author="丁霞"),
        _record("dup-hydro-2", "qingdao", "青岛日报", "2025-03-21", "A04", "区市",
                "西海岸首个“资源延伸·网点办”便民服务网点启用",
                _edit(hydro, [("本报讯 ", ""), ("正式启用", "启用"), ("硬件设备", "设备")])),
        # same topic, shares the phrase 青岛市氢能产业园, otherwise different: never clustered
        _record("hydro-other", "qingdao", "青岛日报", "2025-03-22", "A04", "区市", "氢能产业园再签新项目",
                "青岛市氢能产业园昨天又签约了三个项目，涉及燃料电池和加氢站建设，总投资约二十亿元，"
                "园区负责人表示将继续优化服务，吸引更多上下游企业落户。"),
        # a continued article: first part on 01, rest on 02
        _record("cont-1", "xihaian", "西海岸新闻", "2025-03-21", "01", "要闻", "港口转型升级提速",
                "董家口港区今年将新开工一批重点项目。"),
        _record("cont-2", "xihaian", "西海岸新闻", "2025-03-21", "02", "综合", "港口转型升级提速",
                "同时加快港城融合发展。"),
    ]
    by_id = {record["id"]: record for record in records}
    by_id["cont-1"].update(continued_on="cont-2",
                           full_body="董家口港区今年将新开工一批重点项目。\n同时加快港城融合发展。",
                           pdf_url="https://example.invalid/2025-03-21/01.pdf")
    by_id["cont-2"].update(continued_from="cont-1")
    return records


def extra_pages() -> list[dict]:
    """Page records of the extended corpus."""
    return [
        {"type": "page", "id": f"xihaian-2025-03-21-{no}", "paper": "xihaian", "paper_name": "西海岸新闻",
         "date": "2025-03-21", "page_no": no, "page_name": name, "url": "", "pdf_url": "", "image_url": "",
         "article_ids": ids}
        for no, name, ids in (("01", "要闻", ["cont-1"]), ("02", "综合", ["cont-2"]))
    ]


def all_records() -> list[dict]:
    """The indexable articles of the extended corpus."""
    return fixture_records() + extra_records()


def build_extended_index(root: Path, userdict: Path | None = None, more: list[dict] | None = None) -> Path:
    """Index the fixture archive plus the extra records and pages (and `more` records); return the index
    directory."""
    from indexer.build.writer import build_index

    archive = write_archive(root / "archive")
    extra = archive / "extra" / "extra.jsonl"
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_text("\n".join(_lines(extra_records() + extra_pages() + (more or []))) + "\n", encoding="utf-8")
    index_dir = root / "index"
    build_index(index_dir, [archive], userdict=userdict)
    return index_dir


def write_jsonl(path: Path, records: list[dict]) -> Path:
    """Write records as a JSONL archive file; return its path."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def varied_synthetic_records(count: int, seed: int, body_chars: int, tail: str) -> list[dict]:
    """Synthetic records with pretitles (every 3rd), subtitles (every 4th) and `tail` appended to every
    17th body (repeated and overlapping characters)."""
    from indexer.synth import make_records

    records = make_records(count, seed=seed, body_chars=body_chars)
    for number, record in enumerate(records):
        if number % 3 == 0:
            record["pretitle"] = records[(number + 5) % len(records)]["title"]
        if number % 4 == 0:
            record["subtitle"] = records[(number + 7) % len(records)]["body"][:40]
        if number % 17 == 0:
            record["body"] += tail
    return records

"""The installed `epaper` command and the operations around it, each through the command line as a subprocess:
subcommands, "did you mean", spider argument names, default paths, quiet broken pipes, crawl progress, summary
and exit status, since=last bounded and remembered, index build progress and Ctrl-C, shell completion."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.corpus import build_fixture_index, write_archive

EPAPER = str(Path(sys.executable).parent / "epaper")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a run: no default paths or config of the machine's user, wide tables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPAPER_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "no-config"), COLUMNS="200", PYTHONPATH=str(ROOT), **extra)
    return env


def epaper(*args: str, cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the installed `epaper` command."""
    return subprocess.run([EPAPER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_index(tmp_path_factory.mktemp("epaper-cli"))


# ------------------------------------------------------------------ the command and its errors


def test_every_subcommand_is_listed_and_a_mistyped_one_is_named(tmp_path):
    env = environ(tmp_path)
    done = epaper("--help", cwd=tmp_path, env=env)
    assert done.returncode == 0
    for name in ("crawl", "search", "kwic", "count", "show", "stats", "coverage", "probe", "index", "papers"):
        assert re.search(rf"^\s+{name}\s", done.stdout, re.M), name
    wrong = epaper("serach", "董家口", cwd=tmp_path, env=env)
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1
    assert "invalid choice: 'serach'" in wrong.stderr and "(did you mean search?)" in wrong.stderr
    papers = epaper("papers", cwd=tmp_path, env=env)
    assert papers.returncode == 0 and papers.stdout.startswith("ahrb\t安徽日报\t")


@pytest.mark.parametrize(("argv", "typo", "meant"), [
    (["search", "董家口", "--limt", "3"], "--limt", "--limit"),
    (["kwic", "董家口", "--widht", "5"], "--widht", "--width"),
    (["count", "董家口", "--bye", "year"], "--bye", "--by"),
    (["show", "xh-sun", "--fromat", "json"], "--fromat", "--format"),
    (["stats", "--fromat", "json"], "--fromat", "--format"),
    (["coverage", "--papr", "xihaian"], "--papr", "--paper"),
    (["index", "build", "--idnex", "x"], "--idnex", "--index"),
    (["probe", "http://e.test/a.htm", "--fiel", "x.htm"], "--fiel", "--file"),
    (["crawl", "-a", "paper=xihaian", "--ouptut", "x.json"], "--ouptut", "--output"),
])
def test_a_mistyped_flag_names_the_nearest_one(tmp_path, argv, typo, meant):
    done = epaper(*argv, cwd=tmp_path, env=environ(tmp_path))
    assert done.returncode == 2
    error = done.stderr.splitlines()[-1]
    assert "error: unrecognized arguments: " in error and f"{typo} (did you mean {meant}?)" in error
    assert "Traceback" not in done.stderr


def test_search_cli_and_python_m_indexer_suggest_too(tmp_path):
    env = environ(tmp_path)
    done = subprocess.run([sys.executable, str(ROOT / "search_cli.py"), "x", "--sotr", "date"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "search_cli.py: error: unrecognized arguments: --sotr (did you mean --sort?)\n"
    done = subprocess.run([sys.executable, "-m", "indexer", "build", "--rebiuld"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--rebiuld (did you mean --rebuild?)" in done.stderr


def test_an_unknown_spider_argument_is_refused_with_the_nearest_one(tmp_path):
    env = environ(tmp_path, EPAPER_ARCHIVE=str(tmp_path / "archive"))
    done = epaper("crawl", "-a", "paper=xihaian", "-a", "stat=2025-03-01", *FAST, cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == ("scrapy crawl epaper: error: unknown spider argument 'stat' "
                                            "(did you mean start?)")
    assert not (tmp_path / "archive").exists(), "nothing may be fetched"


# ------------------------------------------------------------------ default paths


def test_default_index_and_archive_from_the_environment_and_the_config_file(tmp_path, index_dir):
    archive = tmp_path / "archive"
    day = archive / "xihaian" / "2025" / "xihaian-2025-03-19.jsonl"
    day.parent.mkdir(parents=True)
    day.write_bytes((index_dir.parent / "archive" / "xihaian" / "2025" / "2025-03-19.jsonl").read_bytes())
    by_env = epaper("search", "董家口", "--format", "jsonl", cwd=tmp_path,
                    env=environ(tmp_path, EPAPER_INDEX=str(index_dir)))
    assert by_env.returncode == 0 and by_env.stdout.count("\n") >= 1
    config = tmp_path / "conf" / "epaper.toml"
    config.parent.mkdir()
    config.write_text(f'index = "{index_dir}"\narchive = "{archive}"\n', encoding="utf-8")
    env = environ(tmp_path, EPAPER_CONFIG=str(config))
    by_config = epaper("search", "董家口", "--format", "jsonl", cwd=tmp_path, env=env)
    assert by_config.stdout == by_env.stdout
    coverage = epaper("coverage", "--paper", "xihaian", "--from", "2025-03-19", "--to", "2025-03-20",
                      "--format", "json", cwd=tmp_path, env=env)
    report = json.loads(coverage.stdout)
    assert report["issue_days"] == ["2025-03-19"] and report["articles"] == 6
    # the XDG location, with a path relative to the config file's folder; and the environment wins over it
    xdg = tmp_path / "xdg"
    (xdg / "epaper").mkdir(parents=True)
    (xdg / "epaper" / "config.toml").write_text('index = "nowhere"\n', encoding="utf-8")
    missing = epaper("stats", cwd=tmp_path, env={**environ(tmp_path), "XDG_CONFIG_HOME": str(xdg)})
    assert missing.returncode == 2 and f"no index at {xdg / 'epaper' / 'nowhere'}" in missing.stderr
    wins = epaper("stats", "--format", "json", cwd=tmp_path,
                  env={**environ(tmp_path, EPAPER_INDEX=str(index_dir)), "XDG_CONFIG_HOME": str(xdg)})
    assert wins.returncode == 0 and json.loads(wins.stdout)["articles"] > 0


def test_a_broken_config_file_is_one_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('indx = "/srv/index"\n', encoding="utf-8")
    env = environ(tmp_path, EPAPER_CONFIG=str(config))
    for argv in (["search", "x"], ["index", "build"], ["coverage", "--paper", "x", "--from", "2025-01-01",
                                                       "--to", "2025-01-02"]):
        done = epaper(*argv, cwd=tmp_path, env=env)
        assert done.returncode == 2, argv
        assert done.stderr.count("\n") == 1 and f"config file {config}: unknown key 'indx' (did you mean 'index'?)" \
            in done.stderr, (argv, done.stderr)
    config.write_text("index = [", encoding="utf-8")
    done = epaper("search", "x", cwd=tmp_path, env=env)
    assert done.returncode == 2 and "is not valid TOML" in done.stderr and done.stderr.count("\n") == 1


# ------------------------------------------------------------------ broken pipes


def closed_pipe_run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run argv with stdout a pipe nobody reads (closed before the first write, like `| head` that is done)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(argv, stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
                              timeout=60)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("argv", [
    ["search_cli.py", "发展", "--all"],
    ["search_cli.py", "发展", "--all", "--format", "json"],
    ["search_cli.py", "发展", "--all", "--format", "jsonl"],
    ["search_cli.py", "发展", "--all", "--format", "csv"],
    ["search_cli.py", "show", "xh-sun"],
    ["search_cli.py", "count", "发展", "--by", "day"],
    ["-m", "crawler.coverage", "--paper", "xihaian", "--from", "2025-03-01", "--to", "2025-03-31", "--format", "json"],
    ["epaper", "kwic", "发展"],
])
def test_a_closed_pipe_ends_quietly(tmp_path, index_dir, argv):
    env = environ(tmp_path, EPAPER_INDEX=str(index_dir), EPAPER_ARCHIVE=str(index_dir.parent / "archive"))
    command = [EPAPER, *argv[1:]] if argv[0] == "epaper" else [sys.executable, *argv]
    if argv[0] == "search_cli.py":
        command = [sys.executable, str(ROOT / "search_cli.py"), *argv[1:]]
    done = closed_pipe_run(command, env, tmp_path)
    assert done.stderr == "" and done.returncode == 1


# ------------------------------------------------------------------ crawls


@pytest.fixture(scope="module")
def crawled(xihaian_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`epaper crawl` of 2025-03-17..19 from another folder, the archive from $EPAPER_ARCHIVE."""
    tmp = tmp_path_factory.mktemp("epaper-crawl")
    env = environ(tmp, EPAPER_ARCHIVE=str(tmp / "archive"), EPAPER_PROGRESS="lines")
    done = epaper("crawl", "-a", "paper=xihaian", "-a", f"base_url={xihaian_url}", "-a", "start=2025-03-17",
                  "-a", "end=2025-03-19", *FAST, cwd=tmp, env=env)
    return {"done": done, "tmp": tmp, "env": env, "base": xihaian_url}


def test_crawl_shows_progress_and_ends_with_the_summary(crawled):
    done = crawled["done"]
    assert "Traceback" not in done.stderr
    assert (crawled["tmp"] / "archive" / "xihaian" / "2025" / "xihaian-2025-03-19.jsonl").exists()
    progress = re.findall(r"^crawl xihaian: days 3/3  pages (\d+)  articles (\d+)  failures 0  [\d.]+ responses/s  "
                          r"ETA \S+$", done.stderr, re.M)
    assert progress and int(progress[-1][0]) == 5 and int(progress[-1][1]) > 0
    lines = done.stderr.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("epaper crawl summary: xihaian")))
    assert start > lines.index(next(line for line in lines if "Dumping Scrapy stats" in line))
    assert all(not re.match(r"\d{4}-\d\d-\d\d \d\d:", line) for line in lines[start:]), "no log line after it"
    assert "no-issue days 1 (2025-03-18)" in done.stderr
    assert lines[-1] == "  health: WARN field_missing 1"
    # everything was fetched, but the health line warns: 4
    assert done.returncode == 4


def test_since_last_is_bounded_remembered_and_grouped(crawled):
    args = ("crawl", "-a", "paper=xihaian", "-a", f"base_url={crawled['base']}", "-a", "since=last",
            "-a", "end=2025-04-30", "-a", "max_days=10", *FAST)
    first = epaper(*args, cwd=crawled["tmp"], env=crawled["env"])
    assert first.returncode == 0, first.stderr[-2000:]
    assert ("since=last: the newest archived issue is 2025-03-19: crawling the last 10 days from 2025-04-21 "
            "(max_days=10); give start=2025-03-20 to fill the 32 days before") in first.stderr
    assert "no-issue days 10 (2025-04-21…2025-04-30)" in first.stderr
    assert first.stderr.splitlines()[-1] == "  health: ok"
    again = epaper(*args, cwd=crawled["tmp"], env=crawled["env"])
    assert again.returncode == 0
    assert ("10 days found without an issue in the last 30 days are not probed again (2025-04-21…2025-04-30; "
            "recheck_days=0 probes them)") in again.stderr
    assert "xihaian: nothing new to crawl" in again.stderr and "Crawled (" not in again.stderr


def test_failed_days_exit_3(tmp_path):
    env = environ(tmp_path, EPAPER_ARCHIVE=str(tmp_path / "archive"))
    done = epaper("crawl", "-a", "paper=xihaian", "-a", "base_url=http://127.0.0.1:9/", "-a", "date=2025-03-19",
                  "-s", "RETRY_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False", *FAST, cwd=tmp_path, env=env)
    assert done.returncode == 3
    assert "failed days 1" in done.stderr and done.stderr.splitlines()[-1] == "  health: WARN failed 1"


def test_an_interrupted_crawl_exits_130(crawled, tmp_path):
    env = environ(tmp_path, EPAPER_ARCHIVE=str(tmp_path / "archive"))
    proc = subprocess.Popen([EPAPER, "crawl", "-a", "paper=xihaian", "-a", f"base_url={crawled['base']}",
                             "-a", "start=2025-03-17", "-a", "end=2025-03-19", "-s", "DOWNLOAD_DELAY=0.25",
                             "-s", "CONCURRENT_REQUESTS=1", "-s", "AUTOTHROTTLE_ENABLED=False",
                             "-s", "LOG_LEVEL=DEBUG"], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "Crawled (200)" in line and "content_" in line:
            break
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "epaper crawl summary: xihaian" in rest and ", shutdown" in rest


# ------------------------------------------------------------------ index build


def test_index_build_progress_defaults_and_ctrl_c(tmp_path, index_dir):
    from indexer.synth import make_records

    archive = tmp_path / "archive"
    write_archive(archive)
    env = environ(tmp_path, EPAPER_ARCHIVE=str(archive), EPAPER_INDEX=str(tmp_path / "index"),
                  EPAPER_PROGRESS="lines", EPAPER_PROGRESS_INTERVAL="0")
    built = epaper("index", "build", cwd=tmp_path, env=env)  # both folders from the environment
    assert built.returncode == 0, built.stderr
    assert re.search(r"^epaper index build: indexing articles \d+/\d+$", built.stderr, re.M)
    assert built.stdout.startswith(f"indexed 3 files into {tmp_path / 'index'}")
    before = epaper("stats", "--format", "json", cwd=tmp_path, env=env).stdout
    # Ctrl-C (SIGINT to the process group, as a terminal sends it) while 2,400 more articles are indexed
    big = archive / "big" / "2025" / "big-2025-01-01.jsonl"
    big.parent.mkdir(parents=True)
    big.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in make_records(2400)), encoding="utf-8")
    proc = subprocess.Popen([EPAPER, "index", "build"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    for line in proc.stderr:
        if re.match(r"epaper index build: indexing articles [1-9]", line):
            break
    os.killpg(proc.pid, signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    lines = [line for line in rest.splitlines() if not line.startswith("epaper index build: indexing")]
    assert lines == ["epaper index: interrupted; the index keeps its last committed state (run the build again)"]
    assert epaper("stats", "--format", "json", cwd=tmp_path, env=env).stdout == before


# ------------------------------------------------------------------ completion and the demo


def test_bash_completion(tmp_path):
    script = (f'eval "$({shlex.quote(EPAPER)} completion)"; epaper() {{ {shlex.quote(EPAPER)} "$@"; }}; '
              'COMP_WORDS=(epaper sea); COMP_CWORD=1; _epaper; echo "${COMPREPLY[*]}"; '
              'COMP_WORDS=(epaper search x --li); COMP_CWORD=3; _epaper; echo "${COMPREPLY[*]}"; '
              'COMP_WORDS=(epaper crawl -a sta); COMP_CWORD=3; _epaper; echo "${COMPREPLY[*]}"')
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=environ(tmp_path), capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.splitlines() == ["search", "--limit", "start="], done.stderr


def test_demo_says_how_to_use_its_index_and_the_readme_examples_work(tmp_path):
    """`make demo`'s last lines export its folders; with them the README's `epaper` examples run as printed."""
    demo = subprocess.run([sys.executable, "-m", "crawler.demo"], cwd=ROOT, env=environ(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr[-2000:]
    export = next(line for line in demo.stdout.splitlines() if line.strip().startswith("export EPAPER_ARCHIVE="))
    env = environ(tmp_path, **dict(part.split("=", 1) for part in shlex.split(export)[1:]))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Searching", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    examples = [line.split("  #", 1)[0] for line in block.splitlines() if line.startswith("epaper ")]
    assert len(examples) >= 9
    for example in examples:
        # the dictionary's path is relative to the repository, as the README says
        done = epaper(*shlex.split(example)[1:], cwd=ROOT if "indexer/dicts/" in example else tmp_path, env=env)
        assert done.returncode == 0 and "error" not in done.stderr, (example, done.stderr)

"""The project egg for scrapyd, built the way `scrapyd-deploy` builds it before uploading it.

scrapyd-deploy writes a setup.py into the project (when there is none), then runs `setup.py clean -a` and
`setup.py bdist_egg` there, leaving setup.py, build/ and epaper.egg-info/ behind: so it runs here in a
temporary copy of the project, and the test checks that the repository gained nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

if os.environ.get("CI", "").lower() in ("", "0", "false", "no"):  # in CI a missing test extra is a failure
    pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed (pip install -e '.[test]')")

IGNORE = shutil.ignore_patterns(".git", ".venv", "venv", "data", "build", "dist", "*.egg-info", "__pycache__",
                                ".pytest_cache", ".ruff_cache", "*.egg")


@pytest.fixture(scope="module")
def egg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    before = sorted(p.name for p in ROOT.iterdir())
    tmp = tmp_path_factory.mktemp("scrapyd")
    project = tmp / "project"
    shutil.copytree(ROOT, project, ignore=IGNORE)
    path = tmp / "epaper.egg"
    result = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", f"--build-egg={path}"], cwd=project,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (project / "setup.py").read_text().startswith("# Automatically created by: scrapyd-deploy")
    assert sorted(p.name for p in ROOT.iterdir()) == before, "building the egg left files in the repository"
    return path


def test_egg_holds_the_project_code(egg):
    names = set(zipfile.ZipFile(egg).namelist())
    assert {"crawler/settings.py", "crawler/spiders/epaper.py", "crawler/distributed.py",
            "crawler/commands/crawl.py", "indexer/__init__.py"} <= names
    assert not any(name.startswith("tests/") for name in names)


def test_egg_holds_every_profile(egg):
    names = set(zipfile.ZipFile(egg).namelist())
    profiles = {f"crawler/profiles/{p.name}" for p in (ROOT / "crawler/profiles").glob("*.toml")}
    assert "crawler/profiles/xihaian.toml" in profiles
    assert profiles <= names, f"missing package data: {sorted(profiles - names)}"


def test_egg_names_the_settings_module_for_scrapyd(egg):
    """scrapyd reads SCRAPY_SETTINGS_MODULE from the egg's [scrapy] entry point."""
    entry_points = zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]" in entry_points
    assert "settings = crawler.settings" in entry_points


def run_from_egg(egg: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run Python with only the zipped egg on the path for the project, as scrapyd's runner does."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(egg), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_scrapy_finds_the_spider_in_the_zipped_egg(egg, tmp_path):
    result = run_from_egg(egg, tmp_path, "-m", "scrapy", "list")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["epaper"]


def test_profiles_load_from_the_zipped_egg(egg, tmp_path):
    result = run_from_egg(egg, tmp_path, "-c", "from crawler.profiles import load_profile; "
                          "print(load_profile('xihaian').key)")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "xihaian"

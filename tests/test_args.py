"""Crawl arguments and profiles are checked before anything is fetched."""

import datetime as dt

import pytest

from crawler.args import day_range, resolve
from crawler.platforms import PLATFORMS
from crawler.profiles import ProfileError, available_profiles, load_profile


def test_single_date():
    assert day_range("2025-03-19", None, None) == (dt.date(2025, 3, 19),)


def test_inclusive_range():
    days = day_range(None, "2025-03-17", "2025-03-19")
    assert days == (dt.date(2025, 3, 17), dt.date(2025, 3, 18), dt.date(2025, 3, 19))


def test_no_dates_means_latest_issue():
    assert day_range(None, None, None) is None


@pytest.mark.parametrize(
    ("date", "start", "end", "message"),
    [
        ("2025-13-01", None, None, "invalid date '2025-13-01'"),
        ("yesterday", None, None, "expected a date as YYYY-MM-DD"),
        (None, "2025-03-19", "2025-03-17", "end 2025-03-17 is before start 2025-03-19"),
        ("2025-03-19", "2025-03-17", None, "not both"),
    ],
)
def test_bad_dates_are_refused(date, start, end, message):
    with pytest.raises(ProfileError, match=message.replace("(", r"\(")):
        day_range(date, start, end)


def test_unknown_paper_lists_choices():
    with pytest.raises(ProfileError, match="choose from: .*xihaian"):
        resolve(paper="nosuchpaper")


def test_unknown_platform_lists_choices():
    with pytest.raises(ProfileError, match="choose from: founder-classic"):
        resolve(platform="wordpress", base_url="http://example.com/")


def test_platform_needs_base_url():
    with pytest.raises(ProfileError, match="needs base_url"):
        resolve(platform="founder-classic")


@pytest.mark.parametrize("key", ["../../x", "a/b", "UPPER", "x" * 65])
def test_path_like_paper_keys_are_refused(key):
    with pytest.raises(ProfileError):
        resolve(paper=key, platform="founder-classic", base_url="http://example.com/")


def test_adhoc_profile_allows_only_its_own_host():
    plan = resolve(platform="founder-classic", base_url="http://127.0.0.1:8000", paper="demo")
    assert plan.profile.base_url == "http://127.0.0.1:8000/"
    assert plan.profile.allowed_domains == ("127.0.0.1",)


def test_profile_base_url_override_replaces_allowed_domains():
    plan = resolve(paper="xihaian", base_url="http://127.0.0.1:9/")
    assert plan.profile.name == "西海岸新闻"
    assert plan.profile.allowed_domains == ("127.0.0.1",)


@pytest.mark.parametrize("key", available_profiles())
def test_every_bundled_profile_loads(key):
    profile = load_profile(key)
    assert profile.platform in PLATFORMS
    assert profile.base_url.startswith("http")
    assert profile.allowed_domains


@pytest.mark.parametrize(("name", "expected"), [(None, "西海岸新闻"), ("西海岸新闻（测试）", "西海岸新闻（测试）")])
def test_platform_crawl_of_a_profile_key_keeps_the_profile_paper_name(name, expected):
    """paper=xihaian with platform=... writes the same paper_name as the profile crawl, unless name= says otherwise."""
    plan = resolve(paper="xihaian", platform="founder-classic", base_url="http://e.test/", date="2025-03-19", name=name)
    assert plan.profile.name == expected == (name or load_profile("xihaian").name)


def test_platform_crawl_of_a_new_key_is_named_by_its_key():
    plan = resolve(paper="mypaper", platform="founder-classic", base_url="http://e.test/", date="2025-03-19")
    assert plan.profile.name == "mypaper"

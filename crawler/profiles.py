"""Declarative paper profiles: TOML files parsed as data, never executed."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.platforms import PLATFORMS, get_platform
from crawler.platforms.config import ConfigError, PlatformConfig

# importlib.resources, not __file__: scrapyd runs the project from a zipped egg
PROFILE_DIR: Traversable = resources.files("crawler") / "profiles"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KNOWN_KEYS = {"name", "platform", "base_url", "first_node", "allowed_domains", "source", "notes", "overrides",
               "scheduled"}


class ProfileError(ValueError):
    """A profile or crawl argument is unusable; the message says why in one line."""


@dataclass(frozen=True)
class Profile:
    """Everything the generic spider needs to know about one paper."""

    key: str
    name: str
    platform: str
    base_url: str
    first_node: str = ""
    allowed_domains: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    scheduled: bool = True  # crawled by paper=all

    def platform_config(self) -> PlatformConfig:
        """The platform's selectors and URL scheme with this profile's overrides (checked at load)."""
        node = {"first_node": self.first_node} if self.first_node else {}
        return get_platform(self.platform, {**self.overrides, **node})


def profile_dirs() -> list[Traversable]:
    """Where profiles are looked up: $EPAPER_PROFILES folders (':'-separated) first, then the bundled ones."""
    extra = [Path(d) for d in os.environ.get("EPAPER_PROFILES", "").split(os.pathsep) if d]
    return [*extra, PROFILE_DIR]


def available_profiles() -> list[str]:
    """Keys of every profile found, sorted."""
    return sorted({p.name[:-5] for d in profile_dirs() if d.is_dir() for p in d.iterdir() if p.name.endswith(".toml")})


def _profile_path(key: str) -> Traversable | None:
    """The first profile file for a key."""
    return next((d / f"{key}.toml" for d in profile_dirs() if (d / f"{key}.toml").is_file()), None)


def check_key(key: str) -> str:
    """Refuse paper keys that could escape the archive folder or be confusing as file names."""
    if not _KEY.match(key or ""):
        raise ProfileError(
            f"invalid paper key {key!r}: use lowercase letters, digits, '-' or '_' (at most 64 characters)"
        )
    return key


def _normalize_base_url(url: str) -> str:
    """Check a base URL is absolute http(s) and ends with a slash."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"invalid base_url {url!r}: expected an absolute http(s) URL")
    return url if url.endswith("/") else url + "/"


def _check_platform(platform: str) -> str:
    """Refuse unknown platforms, listing the known ones."""
    if platform != "auto" and platform not in PLATFORMS:
        choices = ", ".join([*sorted(PLATFORMS), "auto"])
        raise ProfileError(f"unknown platform {platform!r}; choose from: {choices}")
    return platform


def make_profile(
    key: str,
    *,
    platform: str,
    base_url: str,
    name: str = "",
    first_node: str = "",
    allowed_domains: tuple[str, ...] | list[str] = (),
    source: str = "",
    overrides: dict[str, Any] | None = None,
    scheduled: bool = True,
) -> Profile:
    """Build a validated profile from plain values (a TOML file or spider arguments)."""
    base_url = _normalize_base_url(base_url)
    if first_node and not re.match(r"^[A-Za-z0-9_.-]+\.html?$", first_node):
        raise ProfileError(f"invalid first_node {first_node!r}: expected a file name like node_2.htm")
    domains = tuple(allowed_domains) or (urlsplit(base_url).hostname or "",)
    profile = Profile(
        key=check_key(key),
        name=name or key,
        platform=_check_platform(platform),
        base_url=base_url,
        first_node=first_node,
        allowed_domains=domains,
        source=source,
        overrides=dict(overrides or {}),
        scheduled=bool(scheduled),
    )
    try:
        if platform != "auto":
            profile.platform_config()
    except ConfigError as exc:
        raise ProfileError(f"profile {key}: {exc}") from None
    return profile


def load_profile(key: str, **overrides: str) -> Profile:
    """Load a bundled profile by key, with spider arguments overriding its values."""
    check_key(key)
    path = _profile_path(key)
    if path is None:
        raise ProfileError(
            f"unknown paper {key!r}; choose from: {', '.join(available_profiles())} "
            "(or give -a platform=... -a base_url=... for a paper without a profile)"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {path.name}: not valid TOML: {exc}") from None
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ProfileError(f"profile {path.name}: unknown keys {sorted(unknown)}; known: {sorted(_KNOWN_KEYS)}")
    values = {**data, **{k: v for k, v in overrides.items() if v}}
    values.pop("notes", None)
    if "platform" not in values or "base_url" not in values:
        raise ProfileError(f"profile {path.name}: 'platform' and 'base_url' are required")
    if overrides.get("base_url") and not overrides.get("allowed_domains"):
        values.pop("allowed_domains", None)
    return make_profile(key, **values)

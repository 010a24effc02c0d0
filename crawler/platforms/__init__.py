"""Platform families. Each is data (URL scheme + selectors, see config.KEYS); extraction is generic."""

from __future__ import annotations

from typing import Any

from crawler.platforms import founder_classic, founder_new, nbs, paperindex, workercn
from crawler.platforms.config import ConfigError, PlatformConfig, build_config

PLATFORMS: dict[str, dict[str, Any]] = {
    "founder-classic": founder_classic.DEFAULTS,
    "founder-new": founder_new.DEFAULTS,
    "nbs": nbs.DEFAULTS,
    "paperindex": paperindex.DEFAULTS,
    "workercn": workercn.DEFAULTS,
}


def get_platform(name: str, overrides: dict[str, Any] | None = None) -> PlatformConfig:
    """A platform's checked configuration, with a profile's overrides applied."""
    if name not in PLATFORMS:
        raise ConfigError(f"unknown platform {name!r}; choose from: {', '.join(sorted(PLATFORMS))}")
    return build_config(name, PLATFORMS[name], overrides)

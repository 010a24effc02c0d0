"""Platform families: each module holds one e-paper software's URL scheme and pure extractors."""

from __future__ import annotations

from types import ModuleType

from crawler.platforms import founder_classic

PLATFORMS: dict[str, ModuleType] = {
    "founder-classic": founder_classic,
}


def get_platform(name: str) -> ModuleType:
    """The module implementing a platform family."""
    return PLATFORMS[name]

"""Saved searches: a query and its options under a name, in a JSON file.

The file is $EPAPER_SAVED, or ~/.config/epaper/saved_searches.json.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.errors import EpaperIndexError


class SavedSearchError(EpaperIndexError):
    """Unknown saved search or unreadable saved-searches file."""


def saved_path() -> Path:
    """Return the saved-searches file."""
    given = os.environ.get("EPAPER_SAVED")
    return Path(given) if given else Path.home() / ".config" / "epaper" / "saved_searches.json"


def load_saved() -> dict[str, dict]:
    """Return {name: {"query": ..., "options": {...}}} ({} if the file does not exist)."""
    path = saved_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise SavedSearchError(f"cannot read saved searches {path}: {exc}") from None
    if not isinstance(data, dict):
        raise SavedSearchError(f"cannot read saved searches {path}: not a JSON object")
    return data


def save_search(name: str, query: str, options: dict) -> Path:
    """Store (or replace) a saved search; return the file written."""
    if not name.strip():
        raise SavedSearchError("a saved search needs a non-empty name")
    data = load_saved()
    data[name] = {"query": query, "options": options}
    path = saved_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def get_saved(name: str) -> dict:
    """Return a saved search or raise SavedSearchError naming the known ones."""
    data = load_saved()
    if name not in data:
        known = ", ".join(sorted(data)) or "none saved yet"
        raise SavedSearchError(f"no saved search named {name!r} (saved: {known})")
    return data[name]

"""Default paths of the archive and the index, and the search backend: environment variable, else config file,
else data/… (and the embedded Whoosh backend).

    EPAPER_ARCHIVE / EPAPER_INDEX         win when set
    EPAPER_BACKEND / EPAPER_OPENSEARCH_URL
    $EPAPER_CONFIG, else $XDG_CONFIG_HOME/epaper/config.toml (~/.config/epaper/config.toml):
        archive = "/srv/epaper/data/archive"
        index = "/srv/epaper/data/index"
        backend = "opensearch"            # or "whoosh" (the default)
        opensearch_url = "http://10.0.0.5:9200,http://10.0.0.6:9200/epaper"
    data/archive, data/index              relative to the working directory

A relative path in the config file is relative to the file's folder; `~` is expanded everywhere.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

DEFAULTS = {"archive": "data/archive", "index": "data/index", "backend": "whoosh", "opensearch_url": ""}
ENVIRONMENT = {"archive": "EPAPER_ARCHIVE", "index": "EPAPER_INDEX", "backend": "EPAPER_BACKEND",
               "opensearch_url": "EPAPER_OPENSEARCH_URL"}
PATHS = ("archive", "index")  # the keys that name folders (the others are plain text)
BACKENDS = ("whoosh", "opensearch")


class ConfigError(Exception):
    """A config file that cannot be read or holds unknown keys or values of the wrong type (one line)."""


def config_path() -> Path:
    """The config file's path: $EPAPER_CONFIG, else $XDG_CONFIG_HOME (or ~/.config)/epaper/config.toml."""
    if os.environ.get("EPAPER_CONFIG"):
        return Path(os.environ["EPAPER_CONFIG"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "epaper" / "config.toml"


def load_config() -> dict[str, str]:
    """The config file's paths ({} when there is none); raises ConfigError naming the file and what is wrong."""
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if os.environ.get("EPAPER_CONFIG"):
            raise ConfigError(f"config file {path} (from $EPAPER_CONFIG) does not exist") from None
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    import tomllib  # only with a config file: importing it is a noticeable part of a fresh search

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    found = {}
    for key, value in data.items():
        if key not in DEFAULTS:
            near = difflib.get_close_matches(key, DEFAULTS, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else f" (known keys: {', '.join(DEFAULTS)})"
            raise ConfigError(f"config file {path}: unknown key {key!r}{hint}")
        if not isinstance(value, str) or not value:
            raise ConfigError(f"config file {path}: {key} must be a non-empty string"
                              + (" (a folder)" if key in PATHS else ""))
        if key == "backend" and value not in BACKENDS:
            raise ConfigError(f"config file {path}: backend must be {' or '.join(BACKENDS)}, got {value!r}")
        found[key] = str(path.parent / Path(value).expanduser()) if key in PATHS else value
    return found


def default_path(what: str, strict: bool = True) -> str:
    """The default of `archive`, `index` (folders), `backend` or `opensearch_url`; strict=False falls back to
    DEFAULTS on a broken config file."""
    given = os.environ.get(ENVIRONMENT[what])
    if given:
        return str(Path(given).expanduser()) if what in PATHS else given
    try:
        return load_config().get(what, DEFAULTS[what])
    except ConfigError:
        if strict:
            raise
        return DEFAULTS[what]


def default_archive(strict: bool = True) -> str:
    """The archive folder: $EPAPER_ARCHIVE, the config file's `archive`, else data/archive."""
    return default_path("archive", strict)


def default_index(strict: bool = True) -> str:
    """The index folder: $EPAPER_INDEX, the config file's `index`, else data/index."""
    return default_path("index", strict)


def default_backend() -> tuple[str, str]:
    """(backend, OpenSearch URL): $EPAPER_BACKEND / $EPAPER_OPENSEARCH_URL, the config file's `backend` /
    `opensearch_url`, else ("whoosh", ""); ConfigError for an unknown $EPAPER_BACKEND or a broken config file."""
    backend = default_path("backend")
    if backend not in BACKENDS:
        raise ConfigError(f"EPAPER_BACKEND must be {' or '.join(BACKENDS)}, got {backend!r}")
    return backend, default_path("opensearch_url")

"""Exceptions the indexer raises; each message is one line a CLI can print as is."""

from __future__ import annotations

BUILD_HINT = "python -m indexer build --index DIR ARCHIVE_DIR"


class EpaperIndexError(Exception):
    """Base class for every error the CLIs report in one line."""


class IndexNotFoundError(EpaperIndexError):
    """No index at the given directory."""


class SchemaVersionError(EpaperIndexError):
    """The index was written by another schema version."""


class UserDictMismatchError(EpaperIndexError):
    """An update asks for another user dictionary than the index was built with."""


class IndexLockedError(EpaperIndexError):
    """Another writer holds the index lock."""


class QueryError(EpaperIndexError, ValueError):
    """The query string cannot be parsed."""


class IndexDamagedError(EpaperIndexError):
    """An index file is missing, truncated or fails the checksum recorded when it was committed."""


class BuildInputError(EpaperIndexError):
    """A build was given paths it cannot use (no archive files, an index path that is a file)."""

"""Commands piped into `head` and the like: stop quietly when the reader goes away."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

# As Python's documentation suggests and rich's Console does (tables go through rich): one status for both.
BROKEN_PIPE_EXIT = 1


def quiet_pipe(main: Callable[[], int | None]) -> int:
    """Run main() and return its status; a closed stdout (BrokenPipeError) ends it silently with 1."""
    try:
        status = main()
        sys.stdout.flush()  # inside the try: buffered output may meet the closed pipe only here
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush cannot fail and print.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return BROKEN_PIPE_EXIT
    return status or 0

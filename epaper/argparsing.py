"""An argparse parser for every command of the project: errors in one line, "did you mean" for mistyped flags."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Iterable

_CHOICE = re.compile(r"invalid choice: '?(?P<value>[^']*?)'? \(choose from (?P<choices>.*)\)$")


def suggest(word: str, known: Iterable[str]) -> str:
    """' (did you mean X?)' for the nearest known word, or '' when none is near."""
    near = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f" (did you mean {near[0]}?)" if near else ""


def unknown_options(extras: list[str], known: Iterable[str]) -> str:
    """The error for arguments argparse did not recognise, with the nearest known option for each flag."""
    known = list(known)
    parts = []
    for extra in extras:
        flag = extra.split("=", 1)[0]
        parts.append(extra + (suggest(flag, known) if flag.startswith("-") and flag != "-" else ""))
    return "unrecognized arguments: " + " ".join(parts)


def explain(message: str) -> str:
    """An argparse error message, with the nearest choice added to an 'invalid choice' one."""
    match = _CHOICE.search(message)
    if match and "did you mean" not in message:
        choices = re.findall(r"'([^']*)'", match["choices"]) or match["choices"].split(", ")
        message += suggest(match["value"], choices)
    return message


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line `PROG: error: …` (exit 2) and suggest the nearest flag or choice."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the message in one line (with a suggestion for an invalid choice) and exit 2."""
        self.exit(2, f"{self.prog}: error: {explain(message)}\n")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        """Parse like argparse, naming the nearest known option for each unrecognized one."""
        given = list(sys.argv[1:] if args is None else args)
        known = self.option_names()
        for arg in given[: given.index("--") if "--" in given else len(given)]:
            flag = arg.split("=", 1)[0]
            if flag.startswith("--") and len(flag) > 2 and not any(name.startswith(flag) for name in known):
                self.error(unknown_options([arg], known))  # before "required" errors hide the typo
        parsed, extras = self.parse_known_args(given, namespace)
        if extras:
            self.error(unknown_options(extras, self.option_names()))
        return parsed

    def option_names(self) -> list[str]:
        """Every long and short option of this parser and of its subcommands' parsers."""
        names = list(self._option_string_actions)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    names += [n for n in sub._option_string_actions if n not in names]
        return names


def fail(prog: str, message: str, status: int = 2) -> None:
    """Print `PROG: error: message` on stderr and exit with status."""
    sys.stderr.write(f"{prog}: error: {message}\n")
    sys.exit(status)

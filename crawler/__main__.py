"""`python -m crawler papers`: the bundled paper profiles, their platforms and where their URL schemes come from."""

from __future__ import annotations

import argparse
import sys

from crawler.profiles import ProfileError, available_profiles, load_profile


def list_papers(verbose: bool = False) -> list[str]:
    """One line per bundled profile (tab-separated), with its source when verbose."""
    lines = []
    for key in available_profiles():
        profile = load_profile(key)
        line = f"{key}\t{profile.name}\t{profile.platform}\t{profile.base_url}"
        lines.append(line + (f"\n\tsource: {profile.source}" if verbose and profile.source else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m crawler", description="epaper crawler utilities")
    sub = parser.add_subparsers(dest="command", required=True)
    papers = sub.add_parser("papers", help="list the bundled paper profiles")
    papers.add_argument("-v", "--verbose", action="store_true", help="also say where each URL scheme comes from")
    args = parser.parse_args(argv)
    try:
        print("\n".join(list_papers(args.verbose)))
    except ProfileError as exc:
        print(f"python -m crawler: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

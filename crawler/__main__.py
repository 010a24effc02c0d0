"""`python -m crawler papers`: the bundled paper profiles, their platforms and where their URL schemes come from.
`python -m crawler probe URL`: every field the crawler reads on one page, the rule behind it, what is missing."""

from __future__ import annotations

import sys

from crawler.profiles import ProfileError, available_profiles, load_profile
from epaper.argparsing import Parser


def list_papers(verbose: bool = False) -> list[str]:
    """One line per bundled profile (tab-separated), with its source when verbose."""
    lines = []
    for key in available_profiles():
        profile = load_profile(key)
        line = f"{key}\t{profile.name}\t{profile.platform}\t{profile.base_url}"
        lines.append(line + (f"\n\tsource: {profile.source}" if verbose and profile.source else ""))
    return lines


def main(argv: list[str] | None = None, prog: str = "python -m crawler") -> int:
    """Run the command; return the exit status."""
    parser = Parser(prog=prog, description="epaper crawler utilities")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    papers = sub.add_parser("papers", help="list the bundled paper profiles")
    papers.add_argument("-v", "--verbose", action="store_true", help="also say where each URL scheme comes from")
    probe = sub.add_parser("probe", help="show what the crawler reads on one page (版面) or article, rule by rule",
                           description="Exit 0: every essential field found; 1: something missing; 2: bad usage.")
    probe.add_argument("url", help="the page's URL (with --file: the URL it was saved from)")
    probe.add_argument("--file", metavar="PATH", help="read a saved page instead of fetching the URL")
    probe.add_argument("--kind", choices=("page", "article"), default="",
                       help="read it as a page (版面) or an article (default: from the URL's shape, else the page)")
    source = probe.add_mutually_exclusive_group()
    source.add_argument("--platform", default="", help="read as this platform family (default: from the URL)")
    source.add_argument("--paper", default="", help="read with this profile's platform and [overrides]")
    args = parser.parse_args(argv)
    try:
        if args.command == "probe":
            from crawler.probe import ProbeError, run

            try:
                lines, status = run(args.url, args.file, args.platform, args.paper, args.kind)
            except ProbeError as exc:
                print(f"{prog} probe: error: {exc}", file=sys.stderr)
                return 2
            print("\n".join(lines))
            return status
        print("\n".join(list_papers(args.verbose)))
    except ProfileError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    from epaper.pipes import quiet_pipe

    sys.exit(quiet_pipe(main))

"""``longread check``: every finding in the sources, one line each, or as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import ManuscriptError, UsageError, shown
from ..model import BuildOptions
from .build import add_debug, add_sources, papers
from .report import EXIT_FAILED, EXIT_OK, EXIT_USAGE, one_line

EPILOG = """\
examples:
  longread check                     every manuscript in manuscript/
  longread check story.md            one manuscript
  longread check issue.yaml --pages  a collection, its print pages laid out too
  longread check --format json       for scripts and CI

Each finding is one line, file:line:col: severity code: message (fix); the
codes are listed in the README.  Nothing is written.

exit status: 0 no errors (with --strict: no warnings either), 1 errors found
(with --strict: or warnings), 2 the command was used wrongly."""


def add_commands(sub) -> None:
    p = sub.add_parser(
        "check",
        help="find mistakes in manuscripts without building them",
        description="Read, typeset and render manuscripts as a build does, writing nothing, "
        "and list every mistake found, each with its line and its fix.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_sources(p)
    p.add_argument(
        "--pages",
        action="store_true",
        help="also lay out the print pages, for what only they show (image resolution, layout warnings)",
    )
    p.add_argument("--paper", metavar="LIST", type=papers, help="the papers to lay out with --pages")
    p.add_argument(
        "--theme", metavar="NAME|DIR", help="a theme's name or folder (default: longread.yaml's, else magazine)"
    )
    p.add_argument("--format", choices=["text", "json"], default="text", help="text (default) or json")
    p.add_argument("--strict", action="store_true", help="warnings fail the check too (exit status 1)")
    p.add_argument("-q", "--quiet", action="store_true", help="print the findings only, no summary")
    add_debug(p)


def run(args: argparse.Namespace) -> int:
    from ..check import check

    options = BuildOptions(papers=args.paper, theme=args.theme)
    try:
        results = check(args.manuscripts, options, pages=args.pages)
    except ManuscriptError as e:
        if args.format == "json":
            print(json.dumps({"error": shown(str(e)), "exit": EXIT_USAGE}, ensure_ascii=False))
        else:
            print(f"error: {one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE if isinstance(e, UsageError) else EXIT_FAILED
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    code = EXIT_FAILED if errors or (args.strict and warnings) else EXIT_OK
    if args.format == "json":
        print(json.dumps(report(results, code), ensure_ascii=False, indent=1))
        return code
    for r in results:
        for f in r.findings:
            print(one_line(f.line_form()))
    if not args.quiet:
        print(summary(len(results), errors, warnings), file=sys.stderr)
    return code


def summary(sources: int, errors: int, warnings: int) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'s' * (n != 1)}"

    what = "clean" if not errors + warnings else f"{count(errors, 'error')}, {count(warnings, 'warning')}"
    return f"longread check: {count(sources, 'source')}, {what}"


def report(results, code: int) -> dict:
    return {
        "exit": code,
        "errors": sum(r.errors for r in results),
        "warnings": sum(r.warnings for r in results),
        "sources": [
            {
                "source": shown(r.source),
                "errors": r.errors,
                "warnings": r.warnings,
                "seconds": round(r.seconds, 3),
                "findings": [f.as_dict() for f in r.findings],
            }
            for r in results
        ],
    }

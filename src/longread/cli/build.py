"""``longread build`` and ``longread archive``: the library's build route, with
the command line's options and reports."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..errors import ManuscriptError, UsageError
from ..model import BuildOptions
from .report import EXIT_FAILED, EXIT_USAGE, Reporter

BUILD_EPILOG = """\
examples:
  longread build                          build every manuscript in manuscript/ into build/
  longread build story.md -o out          build one manuscript into out/
  longread build --format epub            only the e-book
  longread build --format html            only the web edition: one self-contained page
  longread build --paper trade            a 6 x 9 in PDF
  longread build --paper letter,a4,trade  three PDFs (NAME-letter.pdf, ...) from one reading
  longread build --paper trade --press    the 6 x 9 in PDF as PDF/X-4, with bleed and crop marks for a printer
  longread build --theme book             in the book theme (longread themes lists them)
  longread build archive/ --jobs 8        a folder of manuscripts, eight at a time
  longread build archive/ --executor dask --scheduler tcp://scheduler.example:8786
  longread build issue.yaml               a collection: one EPUB and one PDF for the issue

Each file written is listed with its size; an output already up to date with
its sources is not rebuilt.  Warnings (a stand-in photo, a character the fonts
lack) do not stop the build unless --strict; an error names the file and the
problem, the other manuscripts are still built, and the command exits with
status 1."""


def add_commands(sub) -> None:
    b = sub.add_parser(
        "build",
        help="build the EPUB, PDF and web editions of manuscripts",
        description="Build the EPUB and PDF editions of one or more manuscripts.",
        epilog=BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(b, "where to write the outputs (default: longread.yaml's output, else build/)")
    b.add_argument(
        "--format",
        metavar="LIST",
        default="epub,pdf",
        type=formats,
        help="comma-separated outputs to make: epub, pdf, html (the web edition); default: epub,pdf",
    )
    b.add_argument(
        "--press",
        action="store_true",
        help="make the press PDF for a print shop: 1/8 in bleed, crop marks, TrimBox "
        "and BleedBox (written as NAME-press.pdf)",
    )
    a = sub.add_parser(
        "archive",
        help="make an archival BagIt package of manuscripts or collections",
        description="Make a BagIt 1.0 bag per manuscript or collection for long-term keeping: "
        "the sources and their images, the EPUB, the print PDF, an archival PDF/A-3 "
        "carrying the sources, the font licences and a metadata record "
        "(JSON and Dublin Core), with SHA-256 manifests.",
        epilog="examples:\n  longread archive -o archive     one bag per manuscript in "
        "manuscript/, as archive/NAME-archive/\n  longread archive issue.yaml     one bag for a whole issue",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(a, "where to write the bags (default: longread.yaml's output, else build/)")


def add_sources(p: argparse.ArgumentParser) -> None:
    """The sources a command works on (build, archive, check)."""
    p.add_argument(
        "manuscripts",
        nargs="*",
        metavar="MANUSCRIPT",
        type=Path,
        help="a manuscript (.md), a collection (.yaml) or a folder of manuscripts (default: manuscript/)",
    )


def add_debug(p: argparse.ArgumentParser) -> None:
    """--debug, which every command that reads sources takes."""
    p.add_argument("--debug", action="store_true", help="print the full traceback of an internal error")


def common(p: argparse.ArgumentParser, output_help: str) -> None:
    add_sources(p)
    p.add_argument("-o", "--output", metavar="DIR", type=Path, help=output_help)
    p.add_argument(
        "--paper",
        metavar="LIST",
        type=papers,
        help="PDF trim sizes, comma-separated, from the theme: letter (8.5 x 11 in), a4, trade (6 x 9 in); "
        "default: longread.yaml's paper, else letter.  With several, each PDF is named NAME-PAPER.pdf and "
        "the e-book's page list follows the first",
    )
    p.add_argument(
        "--theme",
        metavar="NAME|DIR",
        help="a theme's name (see: longread themes) or a theme folder (default: longread.yaml's theme, else magazine)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        metavar="N",
        type=int,
        default=os.cpu_count() or 1,
        help="sources built at once (default: one per core)",
    )
    p.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="where the builds run: this machine, or a Dask cluster",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler (with --executor dask), tcp://host:8786")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit status 1)")
    p.add_argument("--no-cache", dest="cache", action="store_false", help="do not keep processed images between builds")
    report = p.add_mutually_exclusive_group()
    report.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    report.add_argument(
        "-v", "--verbose", action="store_true", help="also print the plan, the theme folder and timings"
    )
    report.add_argument("--json", action="store_true", help="print one JSON report on stdout (for scripts)")
    add_debug(p)


def formats(value: str) -> tuple[str, ...]:
    from ..pipeline.plan import FORMATS

    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r} (use {', '.join(FORMATS)})")
    return chosen


def papers(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    if not chosen:
        raise argparse.ArgumentTypeError("name at least one paper")
    return chosen


def check(args: argparse.Namespace) -> str | None:
    """A usage problem with the options, or None."""
    if args.jobs < 1:
        return "--jobs must be at least 1"
    if args.executor == "dask":
        from ..pipeline.executors import ExecutorError, check_scheduler

        if not args.scheduler:
            return "--executor dask needs --scheduler ADDRESS"
        try:
            check_scheduler(args.scheduler)
        except ExecutorError as e:
            return str(e)
    return None


def run(args: argparse.Namespace) -> int:
    from ..pipeline import Runner, build

    options = BuildOptions(
        formats=getattr(args, "format", ("epub", "pdf")),
        papers=args.paper,
        theme=args.theme,
        output_dir=args.output,
        press=getattr(args, "press", False),
        cache=args.cache,
    )
    reporter = Reporter(args)
    try:
        runner = Runner(jobs=args.jobs, scheduler=args.scheduler if args.executor == "dask" else None)
        outcomes = build(
            args.manuscripts,
            options,
            kind=args.command,
            runner=runner,
            on_start=reporter.start,
            on_outcome=reporter.outcome,
        )
    except ManuscriptError as e:
        reporter.error(str(e))
        return EXIT_USAGE if isinstance(e, UsageError) else EXIT_FAILED
    finally:
        reporter.stop()
    return reporter.finish(outcomes)

"""The ``longread`` command: it parses the arguments, calls the library, and
reports.  Building lives in :mod:`longread.pipeline`, the same route the
library's :func:`longread.build` takes.

Exit status: 0 everything built (or up to date), 1 a manuscript failed (or, with
``--strict``, had warnings), 2 the command was used wrongly, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .errors import ManuscriptError, UsageError, shown
from .model import BuildOptions, Outcome

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

DESCRIPTION = """\
Publish a long-form article as an EPUB 3 e-book and a print-ready PDF, both set
in one typography, and package it for the archive.

A manuscript is a Markdown file with a YAML front matter block (title, subtitle,
kicker, author, date, lang, photo ...).  See the README for the format.

exit status: 0 all built, 1 a manuscript failed (with --strict: or warned),
2 the command was used wrongly, 130 interrupted."""

BUILD_EPILOG = """\
examples:
  longread build                          build every manuscript in manuscript/ into build/
  longread build story.md -o out          build one manuscript into out/
  longread build --format epub            only the e-book
  longread build --paper trade            a 6 x 9 in PDF
  longread build --paper letter,a4,trade  three PDFs (NAME-letter.pdf, ...) from one reading
  longread build --paper trade --press    the 6 x 9 in PDF with bleed and crop marks for a printer
  longread build archive/ --jobs 8        a folder of manuscripts, eight at a time
  longread build archive/ --executor dask --scheduler tcp://scheduler.example:8786
  longread build issue.yaml               a collection: one EPUB and one PDF for the issue

Each file written is listed with its size; an output already up to date with
its sources is not rebuilt.  Warnings (a stand-in photo, a character the fonts
lack) do not stop the build unless --strict; an error names the file and the
problem, the other manuscripts are still built, and the command exits with
status 1."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one line, status 2
        self.exit(EXIT_USAGE, f"{self.prog}: error: {shown(message)}\n(see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="longread", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"longread {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    b = sub.add_parser(
        "build",
        help="build EPUB and PDF editions of manuscripts",
        description="Build the EPUB and PDF editions of one or more manuscripts.",
        epilog=BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(b, "where to write the outputs (default: build/)")
    b.add_argument(
        "--format",
        metavar="LIST",
        default="epub,pdf",
        type=formats,
        help="comma-separated outputs to make: epub, pdf (default: epub,pdf)",
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
    common(a, "where to write the bags (default: build/)")
    return p


def common(p: argparse.ArgumentParser, output_help: str) -> None:
    p.add_argument(
        "manuscripts",
        nargs="*",
        metavar="MANUSCRIPT",
        type=Path,
        help="a manuscript (.md), a collection (.yaml) or a folder of manuscripts (default: manuscript/)",
    )
    p.add_argument("-o", "--output", metavar="DIR", type=Path, default=Path("build"), help=output_help)
    p.add_argument(
        "--paper",
        metavar="LIST",
        type=papers,
        default=("letter",),
        help="PDF trim sizes, comma-separated, from the theme: letter (8.5 x 11 in), a4, trade (6 x 9 in); "
        "default: letter.  With several, each PDF is named NAME-PAPER.pdf and the e-book's page list "
        "follows the first",
    )
    p.add_argument("--theme", metavar="NAME|DIR", default="magazine", help="a theme name or folder (default: magazine)")
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
    p.add_argument("--debug", action="store_true", help="print the full traceback of an internal error")


def formats(value: str) -> tuple[str, ...]:
    from .pipeline.plan import FORMATS

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


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help(sys.stderr)
        return EXIT_USAGE
    if args.executor == "dask":
        from .pipeline.executors import ExecutorError, check_scheduler

        if not args.scheduler:
            p.error("--executor dask needs --scheduler ADDRESS")
        try:
            check_scheduler(args.scheduler)
        except ExecutorError as e:
            p.error(str(e))
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    try:
        return run(args)
    except KeyboardInterrupt:
        print("longread: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into a command that stopped reading
        return EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    from .pipeline import Runner, build

    options = BuildOptions(
        formats=getattr(args, "format", ("epub", "pdf")),
        papers=args.paper,
        theme=args.theme,
        output_dir=args.output,
        press=getattr(args, "press", False),
        cache=args.cache,
    )
    reporter = Reporter(args)
    sources = args.manuscripts or [Path("manuscript")]
    try:
        if not args.manuscripts and not sources[0].is_dir():
            raise ManuscriptError("manuscript/", "no manuscripts given and no manuscript/ folder here")
        runner = Runner(jobs=args.jobs, scheduler=args.scheduler if args.executor == "dask" else None)
        outcomes = build(
            sources, options, kind=args.command, runner=runner, on_start=reporter.start, on_outcome=reporter.outcome
        )
    except ManuscriptError as e:
        reporter.error(str(e))
        return EXIT_USAGE if isinstance(e, UsageError) else EXIT_FAILED
    finally:
        reporter.stop()
    return reporter.finish(outcomes)


class Reporter:
    """What the command prints: each outcome as soon as it is known (errors first
    and at once), a progress bar on a terminal, and a summary."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.bar = None
        self.task = None
        self.seen: list[Outcome] = []

    def say(self, text: str, err: bool = False) -> None:
        stream = sys.stderr if err else sys.stdout
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False, soft_wrap=True, stderr=err)
        else:
            print(text, file=stream, flush=True)

    def error(self, message: str) -> None:
        if self.args.json:
            print(json.dumps({"error": message, "exit": EXIT_FAILED}, ensure_ascii=False))
        else:
            self.say(f"error: {one_line(message)}", err=True)

    def start(self, todo: list[Path]) -> None:
        if self.args.verbose:
            self.plan_summary(todo)
        if len(todo) < 2 or self.args.quiet or self.args.json or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(f"building {len(todo)} sources", total=len(todo))

    def plan_summary(self, todo: list[Path]) -> None:
        from .theme import find

        theme = find(self.args.theme)
        self.say(f"theme: {shown(theme)}", err=True)
        self.say(f"papers: {', '.join(self.args.paper)}; to build: {len(todo)}", err=True)

    def outcome(self, o: Outcome) -> None:
        self.seen.append(o)
        if self.bar is not None and not o.up_to_date:
            self.bar.update(self.task, advance=1, description=f"built {shown(o.manuscript.name)}")
        if self.args.json:
            return
        if not self.args.quiet:
            for w in dict.fromkeys(o.warnings):
                self.say(f"{'error' if self.args.strict else 'warning'}: {one_line(w)}", err=True)
        if o.error:
            self.say(f"error: {one_line(o.error)}", err=True)
            if self.args.debug and o.trace:
                self.say(o.trace.rstrip(), err=True)
        if self.args.quiet:
            return
        for out in o.outputs:
            note = "  (up to date)" if o.up_to_date else ""
            timing = f"  {o.seconds:.2f} s" if self.args.verbose and not o.up_to_date else ""
            self.say(f"{shown(out.path)}  {human(out.size)}{note}{timing}")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def finish(self, outcomes: list[Outcome]) -> int:
        failed = any(o.error for o in outcomes) or (self.args.strict and any(o.warnings for o in outcomes))
        code = EXIT_FAILED if failed else EXIT_OK
        if self.args.json:
            print(json.dumps(json_report(outcomes, code), ensure_ascii=False, indent=1))
        elif len(outcomes) > 1 and not self.args.quiet:
            summary(outcomes)
        return code


def status(o: Outcome) -> str:
    if o.error:
        return "failed"
    if o.up_to_date:
        return "up to date"
    if o.warnings:
        n = len(set(o.warnings))
        return f"built, {n} warning{'s' * (n != 1)}"
    return "built"


def json_report(outcomes: list[Outcome], code: int) -> dict:
    return {
        "exit": code,
        "outcomes": [
            {
                "source": shown(o.manuscript),
                "status": status(o).split(",")[0],
                "outputs": [{"path": shown(out.path), "bytes": out.size} for out in o.outputs],
                "warnings": list(dict.fromkeys(shown(w) for w in o.warnings)),
                "error": shown(o.error) or None,
                "seconds": round(o.seconds, 3),
            }
            for o in outcomes
        ],
    }


def human(size: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def one_line(message: str) -> str:
    """A message as one line, whatever characters it quotes."""
    return " ".join(shown(message).split())


def summary(outcomes: list[Outcome]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="longread", title_justify="left")
    for column in ("source", "result", "outputs", "time"):
        table.add_column(column, justify="right" if column == "time" else "left")
    for o in outcomes:
        time = "" if o.up_to_date or not o.seconds else f"{o.seconds:.1f} s"
        outputs = ", ".join(shown(p.path.name) for p in o.outputs) or "-"
        table.add_row(shown(o.manuscript), status(o), outputs, time)
    failed = sum(1 for o in outcomes if o.error)
    warned = sum(1 for o in outcomes if o.warnings and not o.error)
    table.caption = f"{len(outcomes) - failed} of {len(outcomes)} manuscripts built"
    table.caption += f", {failed} failed" if failed else ""
    table.caption += f", {warned} with warnings" if warned else ""
    Console(width=max(100, Console().width), soft_wrap=True, markup=False).print(table)


if __name__ == "__main__":
    sys.exit(main())

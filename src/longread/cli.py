"""The ``longread`` command.

It imports only what deciding needs: when every output is up to date (see
:mod:`longread.cache`) a rebuild never loads the pipeline's libraries.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from . import theme as themes
from .errors import ManuscriptError, printable
from .model import PAPERS, BuildOptions, Outcome, Output
from .pipeline import stamps as cache
from .source.discover import find_manuscripts

DESCRIPTION = """\
Publish a long-form article as an EPUB 3 e-book and a print-ready PDF, both set
in one typography, and package it for the archive.

A manuscript is a Markdown file with a YAML front matter block (title, subtitle,
kicker, author, date, lang, photo ...).  See the README for the format."""

BUILD_EPILOG = """\
examples:
  longread build                          build every manuscript in manuscript/ into build/
  longread build story.md -o out          build one manuscript into out/
  longread build --format epub            only the e-book
  longread build --paper trade            a 6 x 9 in PDF
  longread build --paper trade --press    the same, with bleed and crop marks for a printer
  longread build archive/ --jobs 8        a folder of manuscripts, eight at a time
  longread build archive/ --executor dask --scheduler tcp://scheduler.example:8786
  longread build issue.yaml               a collection: one EPUB and one PDF for the issue

Each file written is listed with its size; an output already up to date with
its sources is not rebuilt.  Warnings (a stand-in photo, a character the fonts
lack) do not stop the build; an error names the file and the problem, the other
manuscripts are still built, and the command exits with status 1."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="longread", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"longread {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

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
        help="make an archival BagIt package of manuscripts",
        description="Make a BagIt bag per manuscript for long-term keeping: the source "
        "and its images, the EPUB, the print PDF, an archival PDF/A-3 "
        "carrying the source, the font licences and a metadata record "
        "(JSON and Dublin Core), with SHA-256 manifests.",
        epilog="example:\n  longread archive -o archive     one bag per manuscript in "
        "manuscript/, as archive/NAME-archive/",
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
        choices=sorted(PAPERS),
        default="letter",
        help="PDF page size: letter (8.5 x 11 in), a4, or trade (6 x 9 in); default: letter",
    )
    p.add_argument(
        "--theme",
        metavar="NAME|DIR",
        default="magazine",
        help="a theme in styles/ or a theme folder (default: magazine)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        metavar="N",
        type=int,
        default=os.cpu_count() or 1,
        help="manuscripts built at once (default: one per core)",
    )
    p.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="where the builds run: this machine's cores, or a Dask cluster",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler's address (with --executor dask), e.g. tcp://host:8786",
    )


def formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in {"epub", "pdf"}]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r} (use epub, pdf)")
    return chosen


def human(size: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help()
        return 2
    if args.executor == "dask" and not args.scheduler:
        p.error("--executor dask needs --scheduler ADDRESS")
    if args.jobs < 1:
        p.error("--jobs must be at least 1")
    try:
        return run(args)
    except KeyboardInterrupt:
        print("longread: interrupted", file=sys.stderr)
        return 130


def run(args: argparse.Namespace) -> int:
    kind = args.command
    options = BuildOptions(
        formats=getattr(args, "format", ("epub", "pdf")),
        paper=args.paper,
        theme=args.theme,
        output_dir=args.output,
        press=getattr(args, "press", False),
    )
    try:
        theme_dir = themes.find(options.theme)
        paths = args.manuscripts or [Path("manuscript")]
        if not args.manuscripts and not paths[0].is_dir():
            raise ManuscriptError("manuscript/", "no manuscripts given and no manuscript/ folder here")
        manuscripts = distinct(find_manuscripts(paths))
        if not manuscripts:
            raise ManuscriptError(paths[0], "no manuscripts (.md files) found")
        clashes = same_outputs(manuscripts)
        if clashes:
            raise ManuscriptError(clashes[1], f"its outputs would overwrite those of {clashes[0]}; rename one")
        fixed = options.fixed()  # one build time for every output, wherever it is made
    except ManuscriptError as e:
        print(f"error: {one_line(str(e))}", file=sys.stderr)
        return 1

    outcomes: dict[Path, Outcome] = {}
    todo = []
    for path in manuscripts:
        done = cache.up_to_date(path, options, kind, theme_dir, __version__)
        if done is None:
            todo.append(path)
        else:
            files, warnings = done
            sizes = [Output(p, sum(f.stat().st_size for f in cache.files_in([p]))) for p in files]
            outcomes[path] = Outcome(path, sizes, warnings, up_to_date=True)
    try:
        for outcome in execute(kind, todo, str(theme_dir), fixed, args):
            outcomes[outcome.manuscript] = outcome
            if not outcome.error:
                cache.record(
                    outcome.manuscript,
                    outcome.inputs,
                    [o.path for o in outcome.outputs],
                    outcome.warnings,
                    options,
                    kind,
                    theme_dir,
                    __version__,
                )
    except ExecutorError as e:
        for path in todo:
            outcomes.setdefault(path, Outcome(path, error=f"{path}: not built: {e}"))
    return report([outcomes[p] for p in manuscripts])


def distinct(paths: list[Path]) -> list[Path]:
    """Each manuscript once, however it was named."""
    seen: dict[Path, Path] = {}
    for p in paths:
        seen.setdefault(p.resolve(), p)
    return list(seen.values())


def same_outputs(paths: list[Path]) -> tuple[Path, Path] | None:
    """Two manuscripts whose outputs would have the same names, if any."""
    from .source.discover import is_collection, slug

    owners: dict[str, Path] = {}
    for p in paths:
        name = slug(p) if is_collection(p) else p.stem
        if name in owners:
            return owners[name], p
        owners[name] = p
    return None


class ExecutorError(Exception):
    """The machinery that runs builds failed (not a manuscript)."""


def execute(kind: str, paths: list[Path], theme_dir: str, options: BuildOptions, args: argparse.Namespace):
    """Build the manuscripts: in this process, on this machine's cores, or on a Dask cluster."""
    if not paths:
        return
    from .pipeline.route import run_one

    if args.executor == "dask":
        yield from execute_on_dask(kind, paths, theme_dir, options, args.scheduler)
        return
    workers = min(args.jobs, len(paths))
    if workers == 1:
        yield from progress((run_one(kind, p, theme_dir, options) for p in paths), len(paths))
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, kind, p, theme_dir, options) for p in paths]
        try:
            yield from progress((f.result() for f in as_completed(futures)), len(paths))
        except BrokenProcessPool:
            raise ExecutorError("a build process died (out of memory?)") from None


def execute_on_dask(kind: str, paths: list[Path], theme_dir: str, options: BuildOptions, scheduler: str):
    from dataclasses import replace

    from .pipeline.route import run_one

    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ExecutorError("the Dask executor needs the distributed package (pip install 'longread[dask]')") from None
    # Workers run elsewhere (their own working folder, maybe another machine that
    # mounts the same file system): they get absolute paths.
    remote = replace(options, output_dir=options.output_dir.resolve())
    try:
        with Client(scheduler, timeout=30) as client:
            futures = {client.submit(run_one, kind, p.resolve(), theme_dir, remote, pure=False): p for p in paths}
            for future in progress(as_completed(futures), len(paths)):
                try:
                    outcome = future.result()
                except Exception as e:  # a worker lost, or one without longread
                    outcome = Outcome(futures[future], error=f"{futures[future]}: the Dask worker failed ({e})")
                outcome.manuscript = futures[future]
                yield outcome
    except (OSError, TimeoutError) as e:
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler} ({e})") from None


def progress(outcomes, total: int):
    """A progress bar on the terminal while manuscripts are built (none when piped)."""
    if total < 2 or not sys.stderr.isatty():
        yield from outcomes
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("building"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("build", total=total)
        for outcome in outcomes:
            bar.advance(task)
            yield outcome


def one_line(message: str) -> str:
    """A message as one line, whatever characters it quotes, with nothing a terminal
    would act on."""
    return " ".join(printable(message).split())


def report(outcomes: list) -> int:
    for outcome in outcomes:
        for w in dict.fromkeys(outcome.warnings):
            print(f"warning: {one_line(w)}", file=sys.stderr)
        if outcome.error:
            print(f"error: {one_line(outcome.error)}", file=sys.stderr)
        for out in outcome.outputs:
            note = "  (up to date)" if outcome.up_to_date else ""
            print(f"{printable(str(out.path))}  {human(out.size)}{note}")
    if len(outcomes) > 1:
        summary(outcomes)
    return 1 if any(o.error for o in outcomes) else 0


def summary(outcomes: list) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="longread", title_justify="left")
    for column in ("manuscript", "result", "outputs", "time"):
        table.add_column(column, justify="right" if column == "time" else "left")
    for o in outcomes:
        result = "failed" if o.error else "up to date" if o.up_to_date else "built"
        time = "" if o.up_to_date else f"{o.seconds:.1f} s"
        # File names are shown as they are: escaped, and never read as Rich markup.
        names = escape(printable(", ".join(p.path.name for p in o.outputs))) or "-"
        table.add_row(escape(printable(str(o.manuscript))), result, names, time)
    failed = sum(1 for o in outcomes if o.error)
    table.caption = f"{len(outcomes) - failed} of {len(outcomes)} manuscripts built" + (
        f", {failed} failed" if failed else ""
    )
    Console(width=max(100, Console().width), soft_wrap=True).print(table)


if __name__ == "__main__":
    sys.exit(main())

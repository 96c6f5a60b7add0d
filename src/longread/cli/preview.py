"""``longread preview``: the manuscript in the browser, rebuilt on every save."""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

from ..errors import ManuscriptError, UsageError, shown
from .build import add_debug
from .report import EXIT_FAILED, EXIT_OK, EXIT_USAGE, one_line

DEFAULT_PORT = 8765

EPILOG = """\
examples:
  longread preview                            the one manuscript in manuscript/
  longread preview story.md --paper trade     with 6 x 9 in print pages
  longread preview issue.yaml --port 9000 --no-browser

The page is served on this computer only (127.0.0.1).  Edit and save the
manuscript, its images or the theme: the page updates itself, the e-book view
first, then the print pages.  A problem is shown in the page with its line,
and the views keep the last good build.  Stop with Ctrl-C."""


def add_commands(sub) -> None:
    p = sub.add_parser(
        "preview",
        help="show a manuscript in the browser as e-book and print, rebuilt on every save",
        description="Preview a manuscript while you edit it: a local web page showing the e-book\n"
        "at phone and tablet widths, light and dark, beside the print pages, with the\n"
        "warnings linked to their lines.  It rebuilds whenever the manuscript, its\n"
        "images or the theme change.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "manuscript",
        nargs="?",
        metavar="MANUSCRIPT",
        type=Path,
        help="a manuscript (.md) or a collection (.yaml); default: the one manuscript in manuscript/",
    )
    p.add_argument(
        "--port", metavar="N", type=int, help=f"the local port to serve on (default: {DEFAULT_PORT}, or a free one)"
    )
    p.add_argument(
        "--paper", metavar="NAME", help="the print pages' paper, from the theme (default: longread.yaml's, else letter)"
    )
    p.add_argument(
        "--theme", metavar="NAME|DIR", help="a theme name or folder (default: longread.yaml's, else magazine)"
    )
    p.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    add_debug(p)


def check(args: argparse.Namespace) -> str | None:
    if args.port is not None and not 0 <= args.port <= 65535:
        return "--port must be between 0 and 65535 (0: any free port)"
    return None


def run(args: argparse.Namespace) -> int:
    from ..model import BuildOptions

    options = BuildOptions(papers=(args.paper.strip().lower(),) if args.paper else None, theme=args.theme)
    try:
        source = args.manuscript or default_manuscript()
        preview = open_preview(source, options, args.port, lambda state: report(state, args.debug, preview))
    except ManuscriptError as e:
        print(f"error: {one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE if isinstance(e, UsageError) else EXIT_FAILED
    except OSError as e:
        print(
            f"error: cannot serve on port {args.port}: {e.strerror or e}; choose another with --port", file=sys.stderr
        )
        return EXIT_FAILED
    with preview:
        print(f"Previewing {shown(source)} at {preview.url}  (Ctrl-C to stop)", flush=True)
        if not args.no_browser:
            import webbrowser

            webbrowser.open(preview.url)
        try:
            preview.wait()
        except KeyboardInterrupt:
            print("stopped", file=sys.stderr)
    return EXIT_OK


def open_preview(source: Path, options, port: int | None, on_build):
    """The preview on the port asked for; without one, on the usual port, or any
    free port when that one is taken."""
    from ..preview import Preview

    try:
        return Preview(source, options, port=DEFAULT_PORT if port is None else port, on_build=on_build)
    except OSError as e:
        if port is not None or e.errno != errno.EADDRINUSE:
            raise
        return Preview(source, options, port=0, on_build=on_build)


def default_manuscript() -> Path:
    folder = Path("manuscript")
    found = sorted(folder.glob("*.md")) if folder.is_dir() else []
    if len(found) != 1:
        what = "no manuscript/ folder here" if not folder.is_dir() else f"{len(found)} manuscripts in manuscript/"
        raise UsageError("manuscript/", f"name the manuscript to preview ({what})")
    return found[0]


def report(state, debug: bool, preview) -> None:
    """One line per build on the terminal."""
    if state.error:
        print(f"error: {one_line(state.error.message)}", file=sys.stderr, flush=True)
        if debug and preview.trace:
            print(preview.trace, file=sys.stderr, flush=True)
        return
    times = []
    if state.ebook:
        times.append(f"e-book view {state.ebook.seconds:.2f} s")
    if state.printed:
        times.append(f"print pages {state.printed.seconds:.2f} s")
    warned = len(state.findings)
    tail = f", {warned} warning{'s' * (warned != 1)}" if warned else ""
    print(f"built: {', '.join(times)}{tail}", flush=True)

"""The ``longread`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from . import theme as themes
from .build import archive_one, build_one, find_manuscripts
from .errors import ManuscriptError
from .model import PAPERS, BuildOptions

DESCRIPTION = """\
Publish a long-form article as an EPUB 3 e-book and a print-ready PDF, both set
in one typography.

A manuscript is a Markdown file with a YAML front matter block (title, subtitle,
kicker, author, date, lang, photo ...).  See the README for the format."""

BUILD_EPILOG = """\
examples:
  longread build                          build every manuscript in manuscript/ into build/
  longread build story.md -o out          build one manuscript into out/
  longread build --format epub            only the e-book
  longread build --paper trade            a 6 x 9 in PDF
  longread build --paper trade --press    the same, with bleed and crop marks for a printer

Each file written is listed with its size.  Warnings (a stand-in photo, a
character the fonts lack) do not stop the build; an error names the file and
the problem, and the command exits with status 1."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="longread", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"longread {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="build EPUB and PDF editions of manuscripts",
                       description="Build the EPUB and PDF editions of one or more manuscripts.",
                       epilog=BUILD_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("manuscripts", nargs="*", metavar="MANUSCRIPT", type=Path,
                   help="a manuscript (.md) or a folder of them (default: manuscript/)")
    b.add_argument("-o", "--output", metavar="DIR", type=Path, default=Path("build"),
                   help="where to write the outputs (default: build/)")
    b.add_argument("--format", metavar="LIST", default="epub,pdf", type=formats,
                   help="comma-separated outputs to make: epub, pdf (default: epub,pdf)")
    b.add_argument("--paper", choices=sorted(PAPERS), default="letter",
                   help="PDF page size: letter (8.5 x 11 in), a4, or trade (6 x 9 in); default: letter")
    b.add_argument("--press", action="store_true",
                   help="make the press PDF for a print shop: 1/8 in bleed, crop marks, TrimBox "
                        "and BleedBox (written as NAME-press.pdf)")
    b.add_argument("--theme", metavar="NAME|DIR", default="magazine",
                   help="a theme in styles/ or a theme folder (default: magazine)")
    a = sub.add_parser("archive", help="make an archival BagIt package of manuscripts",
                       description="Make a BagIt bag per manuscript for long-term keeping: the source "
                                   "and its images, the EPUB, the print PDF, an archival PDF/A-3 "
                                   "carrying the source, the font licences and a metadata record "
                                   "(JSON and Dublin Core), with SHA-256 manifests.",
                       epilog="example:\n  longread archive -o archive     one bag per manuscript in "
                              "manuscript/, as archive/NAME-archive/",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("manuscripts", nargs="*", metavar="MANUSCRIPT", type=Path,
                   help="a manuscript (.md) or a folder of them (default: manuscript/)")
    a.add_argument("-o", "--output", metavar="DIR", type=Path, default=Path("build"),
                   help="where to write the bags (default: build/)")
    a.add_argument("--paper", choices=sorted(PAPERS), default="letter",
                   help="page size of the PDFs in the bag (default: letter)")
    a.add_argument("--theme", metavar="NAME|DIR", default="magazine",
                   help="a theme in styles/ or a theme folder (default: magazine)")
    return p


def formats(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in {"epub", "pdf"}]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r} (use epub, pdf)")
    return chosen


def human(size: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 2
    try:
        return run(args)
    except KeyboardInterrupt:
        print("longread: interrupted", file=sys.stderr)
        return 130


def run(args: argparse.Namespace) -> int:
    if args.command == "archive":
        options = BuildOptions(paper=args.paper, theme=args.theme, output_dir=args.output)
        step = archive_one
    else:
        options = BuildOptions(formats=args.format, paper=args.paper, theme=args.theme,
                               output_dir=args.output, press=args.press)
        step = build_one
    try:
        theme = themes.load(options.theme)
        paths = args.manuscripts or [Path("manuscript")]
        if not args.manuscripts and not paths[0].is_dir():
            raise ManuscriptError("manuscript/", "no manuscripts given and no manuscript/ folder here")
        manuscripts = find_manuscripts(paths)
        if not manuscripts:
            raise ManuscriptError(paths[0], "no manuscripts (.md files) found")
    except ManuscriptError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    failed = 0
    for path in manuscripts:
        try:
            result = step(path, theme, options)
        except ManuscriptError as e:
            print(f"error: {e}", file=sys.stderr)
            failed += 1
            continue
        except Exception as e:  # a bug of ours: still one line, never a traceback
            print(f"error: {path}: internal error ({type(e).__name__}: {e}); please report it",
                  file=sys.stderr)
            failed += 1
            continue
        for w in dict.fromkeys(result.warnings):
            print(f"warning: {w}", file=sys.stderr)
        for out in result.outputs:
            print(f"{out.path}  {human(out.size)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

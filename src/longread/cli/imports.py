"""``longread import``: a Word, OpenDocument or HTML file in, a manuscript folder out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ManuscriptError, shown
from .build import add_debug
from .report import EXIT_FAILED, EXIT_OK, human, one_line


def add_commands(sub) -> None:
    i = sub.add_parser(
        "import",
        help="make a manuscript from a Word, OpenDocument or HTML file",
        description="Make a manuscript folder from a .docx, .odt or .html file: NAME.md (front\n"
        "matter and Markdown) and images/.  What cannot be carried over (comments, tracked\n"
        "changes, text boxes, embedded objects) is reported; nothing in the file is run or\n"
        "fetched.  Needs the import extra: pip install 'longread[import]'.",
        epilog="example:\n  longread import story.docx -o manuscript    writes manuscript/story.md and "
        "manuscript/images/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("document", metavar="FILE", type=Path, help="a .docx, .odt or .html file")
    i.add_argument("-o", "--output", metavar="FOLDER", type=Path, help="where to write the manuscript (default: NAME/)")
    add_debug(i)


def run(args: argparse.Namespace) -> int:
    from ..source.importer import import_document

    try:
        done = import_document(args.document, args.output)
    except ManuscriptError as e:
        print(f"error: {one_line(str(e))}", file=sys.stderr)
        return EXIT_FAILED
    for w in done.warnings:
        print(f"warning: {one_line(w)}", file=sys.stderr)
    for path in (done.manuscript, *done.images):
        print(f"{shown(path)}  {human(path.stat().st_size)}")
    return EXIT_OK

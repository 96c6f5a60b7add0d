"""``longread new``: start a manuscript from a skeleton that builds as it is."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import ManuscriptError
from .report import EXIT_FAILED, EXIT_OK, one_line

EPILOG = """\
examples:
  longread new road-trip.md                 road-trip.md and images/ here
  longread new stories/road-trip            stories/road-trip/road-trip.md and its images/
  longread new essay.md --title "On Walking"

Every front matter key is written, each with a line saying what it is for; the
photo's lines are ready to uncomment.  Keys left empty take their values from
longread.yaml, when there is one.  An existing file is never overwritten."""


def add_commands(sub) -> None:
    p = sub.add_parser(
        "new",
        help="start a manuscript from a skeleton",
        description="Write a new manuscript with every front matter key explained, and an images/ folder.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="PATH", type=Path, help="the manuscript (.md) to write, or a folder to make for it")
    p.add_argument("--title", help="the headline (default: from the file's name)")


def run(args: argparse.Namespace) -> int:
    from ..new import create, shown_path

    try:
        made = create(args.path, args.title)
    except ManuscriptError as e:
        print(f"error: {one_line(str(e))}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{shown_path(made.manuscript)}  (put its images in {shown_path(made.images)}/)")
    return EXIT_OK

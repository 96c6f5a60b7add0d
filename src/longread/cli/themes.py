"""``longread themes``: the themes ``--theme`` can name, and where each lives."""

from __future__ import annotations

import argparse

from ..errors import shown
from .report import EXIT_OK


def add_commands(sub) -> None:
    sub.add_parser(
        "themes",
        help="list the themes --theme can name",
        description="List the themes a name given to --theme finds: the project's own "
        "(styles/ beside longread.yaml, or at the top of the repository), then those "
        "that come with longread.  See docs/themes.md to make one.",
    )


def run(args: argparse.Namespace) -> int:
    from .. import theme

    for name, description, folder, origin in theme.available():
        print(f"{name:<12} {description}")
        print(f"{'':<12} {origin}: {shown(folder)}")
    return EXIT_OK

"""The ``longread`` command: it parses the arguments, calls the library, and
reports; one module per command.  Building lives in :mod:`longread.pipeline`, the
same route the library's :func:`longread.build` takes.

Exit status: 0 everything built (or up to date), 1 a manuscript failed (or, with
``--strict``, had warnings), 2 the command was used wrongly, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ..errors import shown
from . import build, check, imports, new, preview, themes
from .report import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE

DESCRIPTION = """\
Publish a long-form article as an EPUB 3 e-book and a print-ready PDF, both set
in one typography, and package it for the archive.

A manuscript is a Markdown file with a YAML front matter block (title, subtitle,
kicker, author, date, lang, photo ...).  See the README for the format.

exit status: 0 all built, 1 a manuscript failed (with --strict: or warned),
2 the command was used wrongly, 130 interrupted."""

#: The commands, each a module with add_commands(subparsers) and run(args).
COMMANDS = {
    "build": build,
    "archive": build,
    "check": check,
    "new": new,
    "themes": themes,
    "import": imports,
    "preview": preview,
}


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors: one line, status 2
        self.exit(EXIT_USAGE, f"{self.prog}: error: {shown(message)}\n(see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    p = Parser(prog="longread", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"longread {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in dict.fromkeys(COMMANDS.values()):
        module.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help(sys.stderr)
        return EXIT_USAGE
    module = COMMANDS[args.command]
    problem = module.check(args) if hasattr(module, "check") else None
    if problem:
        p.error(problem)
    try:
        return module.run(args)
    except KeyboardInterrupt:
        print("longread: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into a command that stopped reading
        return EXIT_FAILED
    except Exception as e:  # a bug of ours: one line, the traceback only on request
        if getattr(args, "debug", False):
            raise
        print(f"error: internal error ({type(e).__name__}: {shown(e)}); run with --debug for details", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())

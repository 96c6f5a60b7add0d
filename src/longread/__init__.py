"""longread: publish a long-form article as an EPUB 3 e-book and a print-ready PDF
in one typography.

The public surface is small: :func:`build`, the :class:`Article` model, the
:class:`BuildOptions`, :class:`ManuscriptError`, and the ``longread`` command.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ManuscriptError
from .model import Article, BuildOptions

__version__ = "0.1.0"
__all__ = ["Article", "BuildOptions", "ManuscriptError", "build", "__version__"]


def build(manuscripts: list[Path], options: BuildOptions | None = None):
    """Build the EPUB and PDF editions of manuscripts (files or folders of them)."""
    from .pipeline.route import build as run  # the pipeline's libraries load on first use

    return run([Path(m) for m in manuscripts], options or BuildOptions())

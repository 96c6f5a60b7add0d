"""longread: publish a long-form article as an EPUB 3 e-book and a print-ready PDF
in one typography.

The public surface is small: :func:`build`, the :class:`Article` model, the
:class:`BuildOptions`, :class:`ManuscriptError`, and the ``longread`` command.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ManuscriptError
from .model import Article, BuildOptions, Outcome

__version__ = "0.1.0"
__all__ = ["Article", "BuildOptions", "ManuscriptError", "Outcome", "build", "__version__"]


def build(sources: list[Path | str], options: BuildOptions | None = None, kind: str = "build") -> list[Outcome]:
    """Build the EPUB and PDF editions of manuscripts, collections or folders of them
    (``kind="archive"``: their archive bags), exactly as the ``longread`` command
    does: outputs already up to date are not rebuilt, and one failing source does
    not stop the others.  Each source's :class:`Outcome` says what it came to."""
    from .pipeline import build as run  # the pipeline's libraries load on first use

    return run([Path(s) for s in sources], options, kind=kind)

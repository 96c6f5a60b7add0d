"""longread: publish a long-form article as an EPUB 3 e-book and a print-ready PDF
in one typography."""

from .build import build
from .errors import ManuscriptError
from .model import Article, BuildOptions

__version__ = "0.1.0"
__all__ = ["Article", "BuildOptions", "ManuscriptError", "build", "__version__"]

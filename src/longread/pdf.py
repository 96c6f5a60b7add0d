"""Stage 4b, the PDF writer (WeasyPrint).

The same rendition as the EPUB, with the theme's base, print and paper
stylesheets.  WeasyPrint only ever sees what this module hands it: the theme's
own files and the article's images, processed for print.  Every other URL —
the network, ``file:`` paths elsewhere on the disk — is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import images
from .errors import ManuscriptError
from .model import Rendition, Theme
from .render import document

# WeasyPrint places each image at 300 ppi at its printed size from this source.
PRINT_PPI = 300


def write(rendition: Rendition, theme: Theme, paper: str, cache_dir: Path | None,
          warnings: list[str] | None = None) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    if paper not in theme.paper_css:
        raise ManuscriptError(theme.folder / "theme.yaml",
                              f"the theme has no '{paper}' paper (it has: {', '.join(sorted(theme.paper_css))})")
    article = rendition.article
    # Images are served from memory under a base folder that holds nothing else.
    base = article.folder.resolve() / ".longread-print"
    served = {
        (base / "images" / im.key).as_posix(): im
        for im in article.images
    }
    theme_root = theme.folder.resolve()

    class Fetcher(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            path = unquote(parts.path)
            if parts.scheme == "file" and path in served:
                im = served[path]
                ext = im.key.rsplit(".", 1)[1]
                data = images.render(im.path, images.PRINT_LONG_EDGE, ext, cache_dir)
                mime = "image/png" if ext == "png" else "image/jpeg"
                return URLFetcherResponse(url, data, {"Content-Type": mime})
            if parts.scheme == "file" and Path(path).resolve().is_relative_to(theme_root):
                return URLFetcherResponse(url, Path(path).resolve().read_bytes())
            raise FatalURLFetchingError(f"refused to fetch {url}")

    fetcher = Fetcher()
    font_config = FontConfiguration()
    sheets = [CSS(filename=str(p), font_config=font_config, url_fetcher=fetcher)
              for p in (theme.base_css, theme.print_css, theme.paper_css[paper])]
    html = HTML(string=document(rendition), base_url=base.as_uri() + "/", url_fetcher=fetcher)

    handler = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        return html.write_pdf(
            stylesheets=sheets,
            font_config=font_config,
            dpi=PRINT_PPI,
            pdf_variant="pdf/ua-1",
            pdf_identifier=b"",
        )
    except FatalURLFetchingError as e:
        raise ManuscriptError(article.source, f"the PDF needed a resource longread does not allow ({e})") from None
    finally:
        logger.removeHandler(handler)
        if warnings is not None:
            warnings += [f"{article.source}: PDF: {m}" for m in handler.messages]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # Advice about the machine's HarfBuzz build, not about the manuscript.
        if "HarfBuzz-Subset" not in message:
            self.messages.append(message)

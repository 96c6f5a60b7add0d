"""Stage 4c, the web edition: one self-contained, responsive HTML page per book.

The page is the e-book's semantic tree (title block, figures, DPUB-ARIA notes and
back links, language spans, the print edition's page markers) serialised as
HTML5, around the theme's base, e-reader and web stylesheets.  Everything it
shows travels inside it: the fonts as WOFF2 subsets and the images at screen
size, as ``data:`` URIs, so it can be put on any website or sent in a newsletter
and never asks another server for anything (links in the text stay links).

:func:`make_html` reads as the steps that make the page; :func:`page` is the
document alone, which the preview serves with linked stylesheets instead.
"""

from __future__ import annotations

import base64
import copy
import io
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html

from .. import __version__, tokens
from ..assets import fonts, images
from ..errors import ManuscriptError, shown
from ..model import Assets, Book, Theme
from ..render.article import head
from ..render.book import print_body
from ..render.document import document, element, sub

# Scripts written right to left (ISO 15924) and the languages written in them by
# default: the page's base direction follows the book's language.
RTL_SCRIPTS = {"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr"}
RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd", "syr", "ug", "ur", "yi"}


def make_html(book: Book, theme: Theme, assets: Assets, cache_dir: Path | None = None) -> bytes:
    """The book as one HTML page (bytes) that needs nothing beside it."""
    tree = page(book)
    add_style(tree, embedded_css(theme, assets, cache_dir))
    embed_images(tree, book, assets)
    return serialise(tree)


def page(book: Book, stylesheets: tuple[str, ...] = ()) -> etree._ElementTree:
    """The book as an HTML document (no namespaces), linking ``stylesheets``: a
    single article, or a collection's title page, contents and articles, inside
    ``<main>``."""
    a = book.meta
    head_el = head(a, a.title_text, stylesheets)
    head_el.insert(1, element("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}))
    sub(head_el, "meta", {"name": "generator", "content": f"longread {__version__}"})
    if a.source_url:
        sub(head_el, "link", {"rel": "canonical", "href": a.source_url})
    main = element("main")
    for part in print_body(book):
        main.append(copy.deepcopy(part))
    return as_html(document(a.lang, head_el, [main]))


def as_html(tree: etree._ElementTree) -> etree._ElementTree:
    """An XHTML document as the HTML syntax has it: elements without a namespace,
    and no ``epub:type`` or ``xml:lang`` (the HTML syntax has no prefixed
    attributes; ``role`` and ``lang`` carry the same meaning)."""
    root = tree.getroot()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        el.tag = etree.QName(el).localname
        for name in [n for n in el.attrib if n.startswith("{")]:
            del el.attrib[name]
    etree.cleanup_namespaces(root)
    if direction(root.get("lang", "")) == "rtl":
        root.set("dir", "rtl")
    return tree


def direction(lang: str) -> str:
    subtags = lang.lower().split("-")
    script = next((s for s in subtags[1:] if len(s) == 4 and s.isalpha()), "")
    if script:
        return "rtl" if script in RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


def serialise(tree: etree._ElementTree) -> bytes:
    # Serialised as text and encoded here: given an encoding, libxml2 adds a
    # http-equiv meta of its own beside the page's <meta charset>.
    return (lxml_html.tostring(tree, doctype="<!DOCTYPE html>", encoding="unicode", method="html") + "\n").encode()


# --- the stylesheet ---------------------------------------------------------------


def stylesheets(theme: Theme) -> tuple[Path, ...]:
    """The theme's layers for the web: base, e-reader, and its web layers."""
    return theme.base_layers + theme.epub_layers + theme.web_layers


def add_style(tree: etree._ElementTree, css: str) -> None:
    head_el = tree.getroot().find("head")
    style = element("style", {}, css)
    head_el.append(style)


def embedded_css(theme: Theme, assets: Assets, cache_dir: Path | None) -> str:
    """The theme's design values and stylesheets in one, each url() replaced by the
    file it names as a ``data:`` URI (the fonts as WOFF2), after the fonts' licence."""
    web_fonts = {path.resolve(): fonts.woff2(data, cache_dir) for path, data in assets.fonts.items()}
    values = tokens.tokens_css(theme, lambda path: data_uri_of(path.resolve(), web_fonts))
    parts = [licence_comment(theme), values]
    for css in stylesheets(theme):
        text = tokens.with_fallbacks(css.read_text(encoding="utf-8"), theme.tokens)
        if "</style" in text.lower():
            raise ManuscriptError(css, "a stylesheet cannot contain '</style'")
        parts.append(f"/* {css.name} */\n" + inline_urls(text, css, theme, web_fonts))
    return "\n" + "\n".join(parts)


def licence_comment(theme: Theme) -> str:
    """The OFL (and most font licences) ask for the licence to travel with the font."""
    families = ", ".join(dict.fromkeys(f.family for f in theme.faces))
    texts = "\n\n".join(p.read_text(encoding="utf-8").replace("*/", "* /") for p in theme.licences)
    names = ", ".join(theme.href(p).removeprefix("styles/") for p in theme.licences)
    return (
        f"/* Fonts: {families}, embedded below as WOFF2 subsets of the theme's font files.\n"
        f"   Their licence ({names}) follows.\n\n{texts}\n*/"
    )


def inline_urls(text: str, css: Path, theme: Theme, web_fonts: dict[Path, bytes]) -> str:
    """The stylesheet with every url() made a ``data:`` URI of the theme file it names."""
    import tinycss2
    from tinycss2.serializer import serialize_string_value, serialize_url

    # tinycss2 writes a URL or string token back from its source text (its
    # ``representation``), so that is what is replaced.
    def walk(tokens) -> None:
        for token in tokens:
            if token.type == "url":
                token.representation = f"url({serialize_url(data_uri(token.value, css, theme, web_fonts))})"
            elif token.type == "function" and token.lower_name == "url":
                for arg in token.arguments:
                    if arg.type == "string":
                        arg.representation = f'"{serialize_string_value(data_uri(arg.value, css, theme, web_fonts))}"'
            elif token.type in ("function", "() block", "[] block", "{} block"):
                walk(token.arguments if token.type == "function" else token.content)
            elif token.type == "at-keyword" and token.lower_value == "import":
                raise ManuscriptError(css, "@import is not supported in a theme's stylesheets")

    tokens = tinycss2.parse_component_value_list(text, skip_comments=False)
    walk(tokens)
    return tinycss2.serialize(tokens)


def data_uri(url: str, css: Path, theme: Theme, web_fonts: dict[Path, bytes]) -> str:
    parts = urlsplit(url)
    if parts.scheme == "data":
        return url
    target = (css.parent / unquote(parts.path)).resolve()
    inside = any(target.is_relative_to(folder.resolve()) for folder in theme.folders or (theme.folder,))
    if parts.scheme or parts.netloc or not inside or not target.is_file():
        raise ManuscriptError(
            css, f"url({shown(url)}) is not a file inside the theme; the web edition embeds what it shows"
        )
    return data_uri_of(target, web_fonts)


def data_uri_of(target: Path, web_fonts: dict[Path, bytes]) -> str:
    if target in web_fonts:
        data, kind = web_fonts[target], "font/woff2"
    else:
        data, kind = target.read_bytes(), mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


# --- the images -------------------------------------------------------------------


def embed_images(tree: etree._ElementTree, book: Book, assets: Assets) -> None:
    """Every image at screen size, inside the page, with its pixel size (so the text
    does not jump while it decodes)."""
    by_src = {f"images/{im.key}": im for im in book.images}
    for img in tree.getroot().iter("img"):
        im = by_src.get(img.get("src", ""))
        if im is None:
            raise ManuscriptError(book.source, f"image {shown(img.get('src', ''))} is not one of the book's images")
        data = assets.screen_images[im.key]
        img.set("src", f"data:{images.media_type(im.extension)};base64,{base64.b64encode(data).decode('ascii')}")
        width, height = pixel_size(data)
        img.set("width", str(width))
        img.set("height", str(height))


def pixel_size(data: bytes) -> tuple[int, int]:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(data)) as im:
        return im.size

"""What the composer knows about a paragraph comes from WeasyPrint's own cascade.

The theme's stylesheets are the one source of truth: the composer asks WeasyPrint
for the computed style of each element (the same call its layout makes, on the
same document and stylesheets) and reads the measure, the type size, the indent,
the spacing, the OpenType features, the language and the drop cap from it.  Nothing
is parsed here.  Whatever the composer does not understand (a float inside the
text, a table cell, generated text, an unknown font) makes it leave that
paragraph to WeasyPrint, and the layout is verified afterwards in any case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model import FontFace
from .measure import Measure, TextStyle

BLOCK = (("block", "flow"), ("block", "flow-root"))
INLINE = ("inline", "flow")
WRAPPING = ("normal", "nowrap")
SPACE = re.compile(r"[ \t\n\r\f]+")


class UnsupportedError(Exception):
    """The composer cannot model this paragraph exactly; WeasyPrint sets it."""


@dataclass(frozen=True)
class DropCap:
    """A floated ::first-letter: it narrows the first ``lines`` lines by ``width``."""

    width: float
    lines: int


class Styles:
    """The computed styles of one document, as WeasyPrint's layout will see them."""

    def __init__(self, html, stylesheets, font_config, faces: tuple[FontFace, ...], interned: dict | None = None):
        from weasyprint.css import get_all_computed_styles

        self.html = html
        self.style_for = get_all_computed_styles(
            html, user_stylesheets=stylesheets, font_config=font_config, page_rules=[], layers=[]
        )
        self._faces = {(f.family.lower(), f.weight, f.style): f.path for f in faces}
        self._pages: dict[str, float | None] = {}
        self._text_styles: dict[int, tuple] = {}
        # Equal text styles are one object (shared by the layouts of a document):
        # a width lookup then finds its style by identity, never comparing fields.
        self._interned: dict[TextStyle, TextStyle] = {} if interned is None else interned
        self._parents = {child: parent for parent in html.etree_element.iter() for child in parent}

    def __call__(self, element, pseudo: str | None = None):
        return self.style_for(element, pseudo)

    def parent(self, element):
        return self._parents.get(element)

    # --- type ------------------------------------------------------------------

    def text_style(self, style) -> TextStyle:
        # One TextStyle per computed style (WeasyPrint shares those between
        # elements styled alike), so that width lookups find it by identity.
        found = self._text_styles.get(id(style))
        if found is None or found[0] is not style:
            made = self._text_style(style)
            found = self._text_styles[id(style)] = (style, self._interned.setdefault(made, made))
        return found[1]

    def _text_style(self, style) -> TextStyle:
        from weasyprint.text.fonts import font_features

        family = style["font_family"][0].lower()
        font = self._faces.get((family, style["font_weight"], style["font_style"]))
        if font is None or style["font_stretch"] != "normal" or style["font_variation_settings"] != "normal":
            raise UnsupportedError(f"no theme face for {family} {style['font_weight']} {style['font_style']}")
        if style["text_transform"] not in ("none", "uppercase", "lowercase"):
            raise UnsupportedError("text-transform")
        features = font_features(
            style["font_kerning"],
            style["font_variant_ligatures"],
            style["font_variant_position"],
            style["font_variant_caps"],
            style["font_variant_numeric"],
            style["font_variant_alternates"],
            style["font_variant_east_asian"],
            style["font_feature_settings"],
        )
        letter = style["letter_spacing"]
        return TextStyle(
            font=font,
            size=style["font_size"],
            features=tuple(sorted(features.items())),
            letter_spacing=0.0 if letter == "normal" else letter,
            word_spacing=style["word_spacing"],
            lang=style["lang"] or "",
            transform=style["text_transform"],
        )

    # --- the measure -------------------------------------------------------------

    def measure(self, element) -> float:
        """The width of the element's content box, as laid out in the page's flow."""
        chain = []
        el = element
        while el is not None:
            chain.append(el)
            el = self.parent(el)
        chain.reverse()
        width = self.page_width(self.page_name(chain))
        for el in chain:
            width = self._content_width(self(el), width)
        return width

    def _content_width(self, style, outer: float) -> float:
        if style["display"] not in BLOCK or style["float"] != "none" or style["position"] not in ("static", "relative"):
            raise UnsupportedError("not a block in the normal flow")
        if style["column_width"] != "auto" or style["column_count"] != "auto":
            raise UnsupportedError("columns")
        sides = 0.0
        for side in ("left", "right"):
            sides += style[f"border_{side}_width"] + length(style[f"padding_{side}"], outer)
            if style["width"] == "auto":
                sides += length(style[f"margin_{side}"], outer, auto=0.0)
        if style["width"] == "auto":
            width = outer - sides
        else:
            width = length(style["width"], outer)
            if style["box_sizing"] != "content-box":
                raise UnsupportedError("box-sizing")
        if style["max_width"] != "none":
            # A narrower measure (a caption under a narrow figure): the auto margins
            # only place the box.
            if style["box_sizing"] != "content-box":
                raise UnsupportedError("box-sizing")
            width = min(width, length(style["max_width"], outer))
        return width

    def page_name(self, chain) -> str:
        name = ""
        for el in chain:
            page = self(el)["page"]
            if page != "auto":
                name = page
        return name

    def page_width(self, name: str) -> float:
        """The page area's width on every page that can hold the element: the first
        page, a left and a right one.  When they differ, the composer cannot know
        which page a paragraph lands on."""
        if name not in self._pages:
            from weasyprint.layout.page import PageType, set_page_type_computed_styles

            widths = set()
            for side, index in (("right", 0), ("left", 1), ("right", 2)):
                page_type = PageType(side, False, name, index, ())
                set_page_type_computed_styles(page_type, self.html, self.style_for)
                style = self.style_for(page_type)
                page = style["size"][0]
                width = page
                for side_ in ("left", "right"):
                    width -= length(style[f"margin_{side_}"], page, auto=0.0)
                    width -= length(style[f"padding_{side_}"], page) + style[f"border_{side_}_width"]
                widths.add(round(width, 6))
            self._pages[name] = widths.pop() if len(widths) == 1 else None
        if self._pages[name] is None:
            raise UnsupportedError("the measure differs between left and right pages")
        return self._pages[name]

    # --- the paragraph's own settings -----------------------------------------------

    def indent(self, element, measure: float) -> float:
        return length(self(element)["text_indent"], measure)

    def drop_cap(self, element, measure: float, letter: str, holder, measurer: Measure) -> DropCap | None:
        """The narrowing a floated ::first-letter makes (None when the paragraph has
        none).  ``holder`` is the innermost element the letter's text sits in."""
        style = self(element, "first-letter")
        if style is None or not letter:
            return None
        if style["float"] != "left":
            raise UnsupportedError("a first letter that is not floated left")
        width = measurer.width(letter, self.letter_style(element, holder, style))
        return self._beside(element, style, width, line_height(style), measure)

    def float_cap(self, element, cap, measure: float, measurer: Measure) -> DropCap:
        """The narrowing a floated element that opens the paragraph makes: the drop
        cap as the makeup makes it, a span holding the letter (and any opening
        punctuation, positioned outside it, which takes no room)."""
        style = self(cap)
        if style["float"] != "left":
            raise UnsupportedError("a float that is not floated left")
        if style["width"] != "auto" or style["height"] != "auto":
            raise UnsupportedError("a drop cap of a set size")
        if style["display"] not in (("inline", "flow"), *BLOCK):
            raise UnsupportedError("a drop cap that is not text")
        width = self._flow_width(cap, style, measurer)
        return self._beside(element, style, width, line_height(style), measure)

    def _flow_width(self, element, style, measurer: Measure) -> float:
        """The width of a float's text on its one line: what its shrink-to-fit width
        is made of.  Boxes taken out of its flow (the hung punctuation) count for
        nothing; so do their children, but not the text after them."""
        width = measurer.width(_letters(element.text), self.text_style(style))
        for child in element:
            if isinstance(child.tag, str):
                inner = self(child)
                if inner["position"] not in ("absolute", "fixed"):
                    if inner["display"] != INLINE or inner["float"] != "none":
                        raise UnsupportedError("a drop cap that is not text")
                    if line_height(inner) > line_height(style) or inner["vertical_align"] != "baseline":
                        raise UnsupportedError("a drop cap of mixed type")
                    width += self._flow_width(child, inner, measurer)
            width += measurer.width(_letters(child.tail), self.text_style(style))
        return width

    def _beside(self, element, style, width: float, height: float, measure: float) -> DropCap:
        """The lines narrowed by a float of the given style and content size, placed
        at the top of the paragraph: a line box is narrowed while its top lies
        above the float's bottom."""
        for side in ("left", "right"):
            width += length(style[f"margin_{side}"], measure) + length(style[f"padding_{side}"], measure)
            width += style[f"border_{side}_width"]
        for side in ("top", "bottom"):
            height += length(style[f"margin_{side}"], measure) + length(style[f"padding_{side}"], measure)
            height += style[f"border_{side}_width"]
        body = line_height(self(element))
        lines = 0
        while lines * body < height - 1e-6:
            lines += 1
        return DropCap(width, lines)

    def letter_style(self, element, holder, first_letter) -> TextStyle:
        """The first letter's type as WeasyPrint sets it: the style of the inline box
        it is taken from, with the ::first-letter declarations on top.  A letter
        spacing it does not declare comes from that box's declaration, and one in
        em is taken at the letter's size (WeasyPrint re-resolves it there)."""
        own = self.text_style(self(holder))
        cascaded = first_letter.cascaded
        if "letter_spacing" in cascaded:
            letter = first_letter["letter_spacing"]
            spacing = 0.0 if letter == "normal" else letter
        else:
            spacing = 0.0
            el = holder
            while el is not None:
                declared = self(el).cascaded.get("letter_spacing")
                if declared is not None:
                    value = declared[0]
                    if value != "normal" and getattr(value, "unit", "") == "em":
                        spacing = value.value * first_letter["font_size"]
                    elif value != "normal":
                        spacing = self(el)["letter_spacing"]
                    break
                el = None if el is element else self.parent(el)
        font = own.font
        if {"font_weight", "font_style", "font_family"} & set(cascaded):
            font = self.text_style(first_letter).font
        return replace(own, font=font, size=first_letter["font_size"], letter_spacing=spacing)


def _letters(text: str | None) -> str:
    if SPACE.search(text or ""):
        raise UnsupportedError("a drop cap of more than a letter")
    return text or ""


def length(value, reference: float, auto: float | None = None) -> float:
    """A computed length in px (percentages of ``reference``)."""
    if value == "auto":
        if auto is None:
            raise UnsupportedError("auto length")
        return auto
    if isinstance(value, (int, float)):
        return float(value)
    if value.unit == "px":
        return value.value
    if value.unit == "%":
        return value.value * reference / 100
    raise UnsupportedError(f"length in {value.unit}")


def line_height(style) -> float:
    value = style["line_height"]
    if value == "normal":
        raise UnsupportedError("line-height: normal")
    if isinstance(value, (int, float)):
        return value * style["font_size"]
    return length(value, style["font_size"])

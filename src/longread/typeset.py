"""Stage 2, typeset: house typography applied to the article's text.

Each rule is a small named function over a run of text, so it can be tested on its
own.  The rules run over the text nodes of every fragment in reading order,
carrying the previous character across element boundaries (so a quote before
``<em>`` still opens), skipping code, and following the language of the nearest
``lang`` attribute: quote marks and French spacing depend on it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator

from lxml import etree

from .model import Article, Image
from .xhtml import inner_xml, parse, plain_text

NBSP, NNBSP, WJ = "\u00a0", "\u202f", "\u2060"

#: Quotation marks by primary language subtag: (open, close, inner open, inner close).
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "nl": ("“", "”", "‘", "’"),
    "tr": ("“", "”", "‘", "’"),
    "zh": ("“", "”", "‘", "’"),
    "ga": ("“", "”", "‘", "’"),
    "id": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "cs": ("„", "“", "‚", "‘"),
    "sk": ("„", "“", "‚", "‘"),
    "sl": ("„", "“", "‚", "‘"),
    "is": ("„", "“", "‚", "‘"),
    "lt": ("„", "“", "‚", "‘"),
    "bg": ("„", "“", "’", "’"),
    "ka": ("„", "“", "«", "»"),
    "fr": ("«\u202f", "\u202f»", "“", "”"),
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("«", "»", "“", "”"),
    "ca": ("«", "»", "“", "”"),
    "el": ("«", "»", "“", "”"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "be": ("«", "»", "„", "“"),
    "nb": ("«", "»", "‘", "’"),
    "no": ("«", "»", "‘", "’"),
    "nn": ("«", "»", "‘", "’"),
    "vi": ("“", "”", "‘", "’"),
    "fa": ("«", "»", "‹", "›"),
    "ar": ("«", "»", "‹", "›"),
    "pl": ("„", "”", "«", "»"),
    "hu": ("„", "”", "»", "«"),
    "ro": ("„", "”", "«", "»"),
    "hr": ("„", "”", "‘", "’"),
    "sr": ("„", "”", "’", "’"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "da": ("»", "«", "›", "‹"),
    "he": ("”", "“", "’", "‘"),
    "ja": ("「", "」", "『", "』"),
}
# Regional variants that differ from their language's default.
QUOTES_REGIONAL = {
    "pt-br": ("“", "”", "‘", "’"),
    "de-ch": ("«", "»", "‹", "›"),
    "fr-ch": ("«", "»", "‹", "›"),
}

SKIP = {"code", "pre", "kbd", "samp", "var", "script", "style"}
# Text after the start or end of these, or after a line break, starts afresh: a quote
# there opens.
BLOCKS = {
    "p",
    "div",
    "li",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "figure",
    "figcaption",
    "aside",
    "td",
    "th",
    "caption",
    "br",
    "hr",
    "ul",
    "ol",
    "table",
    "tr",
    "section",
    "header",
    "article",
    "pre",
}
OPENERS = set(" \t\n\u00a0\u202f([{‘“«‹„‚—–-/\u2060")

# Abbreviations after which the next word stays on the same line.
TITLES = {
    "en": r"Mr|Mrs|Ms|Mx|Dr|Prof|Rev|Sr|St|Gen|Col|Capt|Lt|Sgt|Gov|Sen|Rep|Hon",
    "de": r"Hr|Fr|Dr|Prof|St",
    "fr": r"M|Mme|Mlle|Dr|Pr|St|Ste",
}
_TITLES = {lang: re.compile(rf"\b({titles})\. (?=\w)") for lang, titles in TITLES.items()}
# "p. 12", "pp. 12–14", "No. 5", "vol. 3", "fig. 2", "§ 4": the number stays with its label.
NUMBERED = re.compile(r"(?:\b(?:p|pp|No|no|Nos|vol|Vol|ch|Ch|fig|Fig|art|Art)\.?|§) (?=\d)")
_ELLIPSIS = re.compile(r"\.\s?\.\s?\.")
_RANGE = re.compile(r"(?<=\d)--(?=\d)")
_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")
_EM_DASH = re.compile(r" ?— ?")
_SPACED_DASH = re.compile(r"(?<=\S) [—–] (?=\S)")
_BEFORE_EN_DASH = re.compile(r"(?<=\S) (?=– )")
_BEFORE_EM_DASH = re.compile(r"(?<=[^\s\u2060])—")


@dataclasses.dataclass(frozen=True)
class Rules:
    lang: str = "en"
    dash_style: str = "closed"  # "closed" (word—word) or "spaced" (word – word)

    @property
    def quotes(self) -> tuple[str, str, str, str]:
        tag = self.lang.lower()
        return QUOTES_REGIONAL.get(tag) or QUOTES.get(tag.split("-")[0], QUOTES["en"])


# --- the rules --------------------------------------------------------------------


def ellipses(text: str) -> str:
    """``...`` and ``. . .`` become one ellipsis character."""
    return _ELLIPSIS.sub("…", text) if "." in text else text


def dashes(text: str, style: str = "closed") -> str:
    """``---`` and ``--`` become dashes; a spaced hyphen becomes a sentence dash.

    ``closed`` joins the em dash to its words (American); ``spaced`` sets a spaced
    en dash instead (British and most of Europe).  Number ranges keep an en dash.
    """
    if "-" in text:
        text = text.replace("---", "—")
        text = _RANGE.sub("–", text)
        text = text.replace("--", "—")
        text = _SPACED_HYPHEN.sub(" — ", text)
    if style == "spaced":
        return _EM_DASH.sub(" – ", text) if "—" in text else text
    return _SPACED_DASH.sub("—", text) if "—" in text or "–" in text else text


def no_break_before_dash(text: str, style: str = "closed") -> str:
    """A line never starts with a sentence dash: a word joiner (closed) or a
    no-break space (spaced) ties the dash to the word before it."""
    if style == "spaced":
        return _BEFORE_EN_DASH.sub(NBSP, text) if "– " in text else text
    return _BEFORE_EM_DASH.sub(WJ + "—", text) if "—" in text else text


@dataclasses.dataclass
class QuoteState:
    """Inner (single) quotes still open, carried from one run of text to the next."""

    open_single: int = 0


_QUOTE_MARK = re.compile("[\"']")


def quotes(text: str, prev: str, q: tuple[str, str, str, str], state: QuoteState) -> str:
    """Straight quotes become the language's curly quotes; apostrophes become ’.

    ``prev`` is the character before this run of text (possibly in another element).
    A single quote after a letter closes an open inner quote, else it is an
    apostrophe (Hutchins’), which matters where the two marks differ (German ‘ vs ’).
    Only the quote marks are visited: text without them is returned as it is.
    """
    out: list[str] = []
    done = 0  # text[:done] is in out
    for m in _QUOTE_MARK.finditer(text):
        i = m.start()
        # The character before, as already set: a mark just replaced counts as set.
        before = out[-1][-1] if i == done and out else (text[i - 1] if i else prev)
        out.append(text[done:i])
        out.append(_quote_mark(text, i, before, q, state))
        done = i + 1
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def _quote_mark(text: str, i: int, before: str, q: tuple[str, str, str, str], state: QuoteState) -> str:
    opens = before == "" or before in OPENERS
    if text[i] == '"':
        return q[0] if opens else q[1]
    after = text[i + 1 : i + 2]
    rest = text[i + 1 : i + 4]
    if before.isalnum() and after.isalpha():
        return "’"  # it’s, rock ’n’ roll's second mark
    if opens and re.match(r"\d\d(s|\b)", rest):
        return "’"  # ’90s
    if opens and re.match(r"n'(\W|$)", rest):
        return "’"  # rock ’n’ roll
    if opens:
        state.open_single += 1
        return q[2]
    if state.open_single:
        state.open_single -= 1
        return q[3]
    return "’"


def nbsp_after_titles(text: str, lang: str = "en") -> str:
    """``Mr. Smith``, ``Dr. Jones``: a title never ends a line."""
    titles = _TITLES.get(lang.split("-")[0].lower())
    if titles and ". " in text:
        text = titles.sub(r"\1." + NBSP, text)
    return text


def nbsp_in_references(text: str) -> str:
    """``p. 12``, ``No. 5``: a number stays with its label."""
    return NUMBERED.sub(lambda m: m.group(0)[:-1] + NBSP, text)


def french_spacing(text: str) -> str:
    """French sets a narrow no-break space before ; ! ? and inside guillemets,
    and a no-break space before a colon."""
    text = re.sub(r"[ \u00a0]([;!?])", NNBSP + r"\1", text)
    text = re.sub(r" :", NBSP + ":", text)
    text = re.sub(r"« ", "«" + NNBSP, text)
    text = re.sub(r" »", NNBSP + "»", text)
    return text


def apply_rules(text: str, prev: str, rules: Rules, lang: str, state: QuoteState | None = None) -> str:
    r = dataclasses.replace(rules, lang=lang) if lang != rules.lang else rules
    text = ellipses(text)
    text = dashes(text, r.dash_style)
    text = quotes(text, prev, r.quotes, state or QuoteState())
    text = nbsp_after_titles(text, r.lang)
    text = nbsp_in_references(text)
    if r.lang.lower().split("-")[0] == "fr":
        text = french_spacing(text)
    return no_break_before_dash(text, r.dash_style)


# --- the tree walk ----------------------------------------------------------------


def text_slots(root: etree._Element, lang: str) -> Iterator[tuple[etree._Element, str, str]]:
    """(element, 'text' or 'tail', language) for each text node, in reading order."""

    def walk(el: etree._Element, inherited: str) -> Iterator[tuple[etree._Element, str, str]]:
        own = el.get("lang") or inherited
        if el.tag not in SKIP:
            yield el, "text", own
            for child in el:
                if isinstance(child.tag, str):
                    yield from walk(child, own)
                yield child, "tail", own

    yield from walk(root, lang)


def typeset_fragment(fragment: str, rules: Rules) -> str:
    if not fragment:
        return fragment
    root = parse(fragment)
    prev, state = "", QuoteState()
    for el, slot, lang in text_slots(root, rules.lang):
        if el.tag in BLOCKS:
            prev = ""
        original = getattr(el, slot)
        if not original:
            continue
        new = apply_rules(original, prev, rules, lang, state)
        setattr(el, slot, new)
        prev = new[-1]
    return inner_xml(root)


def typeset(article: Article, dash_style: str = "closed") -> Article:
    """The article with house typography applied to every text it shows."""
    rules = Rules(lang=article.lang, dash_style=dash_style)
    fix: Callable[[str], str] = lambda s: typeset_fragment(s, rules)  # noqa: E731

    def image(im: Image | None) -> Image | None:
        if im is None:
            return None
        return dataclasses.replace(im, caption_html=fix(im.caption_html), credit_html=fix(im.credit_html))

    return dataclasses.replace(
        article,
        title_html=(title := fix(article.title_html)),
        title_text=plain_text(title),
        dek_html=fix(article.dek_html),
        kicker=apply_rules(article.kicker, "", rules, article.lang) if article.kicker else "",
        short_title=apply_rules(article.short_title, "", rules, article.lang) if article.short_title else "",
        body_html=fix(article.body_html),
        photo=image(article.photo),
        figures=tuple(image(f) for f in article.figures),
        notes=tuple(dataclasses.replace(n, html=fix(n.html)) for n in article.notes),
    )

"""Language tags: BCP 47 (RFC 5646), checked by a real parser.

A tag that is not well-formed makes an EPUB that EPUBCheck refuses (``dc:language``,
``xml:lang``) and a PDF whose language readers cannot use, so it is refused with
the parser's reason.  langcodes parses the tag; the few rules it is lenient about
(an underscore for a hyphen, a numeric language, a repeated singleton or variant)
are checked here.
"""

from __future__ import annotations

import re

from ..errors import ManuscriptError, quoted

#: Far longer than any real tag; keeps the parser's work and the message short.
MAX_LENGTH = 64
#: The tags nearly every manuscript uses (language, script, region: "en", "en-US",
#: "zh-Hant-TW", "es-419"), well-formed by RFC 5646's grammar as they stand: they
#: need no parser (langcodes takes tens of milliseconds to load its tables).
PLAIN = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?")


def problem(tag: str) -> str | None:
    """Why ``tag`` is not a well-formed BCP 47 language tag, or None if it is."""
    if not tag:
        return "it is empty"
    if len(tag) > MAX_LENGTH:
        return f"it is {len(tag)} characters long"
    if not re.fullmatch(r"[A-Za-z0-9-]+", tag):
        if "_" in tag:
            return "subtags are joined by '-', not '_'"
        return "only ASCII letters, digits and '-' may appear in it"
    if PLAIN.fullmatch(tag):
        return None
    from langcodes.tag_parser import LanguageTagError, parse_tag

    try:
        parsed = parse_tag(tag)
    except LanguageTagError as e:
        return str(e).rstrip(".")
    kind, first = parsed[0]
    if kind == "language" and not re.fullmatch(r"[A-Za-z]+(-[A-Za-z]{3})*|x-[A-Za-z0-9-]+", first, re.I):
        return f"the language subtag {first!r} must be letters"
    singletons = [value.split("-")[0].lower() for kind, value in parsed if kind == "extension"]
    if len(singletons) != len(set(singletons)):
        return "an extension singleton appears twice"
    variants = [value.lower() for kind, value in parsed if kind == "variant"]
    if len(variants) != len(set(variants)):
        return "a variant subtag appears twice"
    return None


def is_well_formed(tag: str) -> bool:
    return problem(tag) is None


def check(path, tag: str, what: str = "'lang'") -> str:
    """``tag`` if it is well-formed; else a :class:`ManuscriptError` saying why."""
    why = problem(tag)
    if why:
        why = why[0].lower() + why[1:]
        raise ManuscriptError(path, f"{what} is not a BCP 47 language tag: {quoted(tag)} ({why})")
    return tag

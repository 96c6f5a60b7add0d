"""Where a word may take a hyphen: the patterns the PDF has always used.

WeasyPrint hyphenates with pyphen's dictionary for the text's language
(``pyphen.language_fallback``) and the ``hyphenate-limit-chars`` of the style; the
composer asks the same dictionary with the same limits, and adds the rules of a
careful typesetter: never a proper name or other capitalised word, never a word
with digits or an apostrophe in it (a contraction or a possessive), never a word
shorter than the limit.  The paragraph's last word is never offered here at all.
"""

from __future__ import annotations

from functools import lru_cache

import pyphen

# Punctuation that may stand before a word or after it without making it
# unhyphenatable: quotes, brackets, stops.
LEADING = "“‘\"'([{«‹„‚¿¡"
TRAILING = "”’\"')]}»›.,;:!?…"


@lru_cache(maxsize=32)
def dictionary(lang: str, left: int, right: int) -> pyphen.Pyphen | None:
    found = pyphen.language_fallback(lang.replace("-", "_")) if lang else None
    return pyphen.Pyphen(lang=found, left=left, right=right) if found else None


@lru_cache(maxsize=65536)
def points(word: str, lang: str, limits: tuple[int, int, int]) -> tuple[int, ...]:
    """The offsets in ``word`` after which a hyphen may be set."""
    total, left, right = limits
    start = len(word) - len(word.lstrip(LEADING))
    end = len(word.rstrip(TRAILING))
    core = word[start:end]
    if len(core) < max(total, left + right) or not core.isalpha() or not core.islower():
        return ()
    found = dictionary(lang, max(left, 1), max(right, 1))
    if found is None:
        return ()
    return tuple(start + p for p in found.positions(core))

"""A theme's design values as stylesheets, and the layers each output reads.

The values of ``theme.yaml`` (colours, font families, sizes, leading, spacing) are
written once, as CSS custom properties in a generated layer, ``tokens.css``, placed
before the theme's own stylesheets; those use them (``color: var(--colour-accent)``).
The layer also declares the fonts (``@font-face``, from the theme's font list) so a
family's name is written nowhere else.  Print adds a generated page layer (trim,
margins, type size of the paper) and, for the press, a layer that turns every colour
into CMYK ink through the press profile, which also becomes the PDF's output intent.

WeasyPrint 70 resolves ``var()`` everywhere longread uses it, @page margin boxes,
``size``, ``string-set`` and ``content`` included.  Many e-readers (Adobe's RMSDK,
older Kindles) do not: in the EPUB every declaration that uses a value is preceded
by the same declaration with the value written out, which such readers keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .model import Paper, Theme

TOKENS = "tokens.css"


@dataclass(frozen=True)
class Sheet:
    """One stylesheet layer: a file of the theme, or generated text."""

    name: str
    path: Path | None = None
    text: str = ""

    def css(self) -> str:
        return self.text if self.path is None else self.path.read_text(encoding="utf-8")


# --- the generated layers ---------------------------------------------------------


def tokens_css(theme: Theme, url: Callable[[Path], str]) -> str:
    """The fonts and design values of a theme; ``url`` gives each font file's address."""
    out = [f"/* {TOKENS}: written by longread from the theme's theme.yaml ({theme.name}); edit that, not this. */"]
    for face in theme.faces:
        out.append(
            f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f"font-style: {face.style}; src: url({url(face.path)}); }}"
        )
    out.append(root_rule(theme.tokens))
    return "\n".join(out) + "\n"


def root_rule(values: dict[str, str]) -> str:
    return ":root {\n" + "".join(f"  --{k}: {v};\n" for k, v in values.items()) + "}"


def page_css(paper: Paper) -> str:
    """The paper's page: trim size and margins written out (the paper is chosen in
    code, so its values are known), the type size and measure as values."""
    top, right, bottom, left = paper.margin
    measure = paper.width - left - right
    return (
        f"/* paper {paper.name}: {paper.label} */\n"
        f"@page {{ size: {paper.width}pt {paper.height}pt; margin: {top}pt {right}pt {bottom}pt {left}pt; }}\n"
        + root_rule({"type-size": paper.type_size, "measure": f"{measure:.2f}pt"})
        + "\n"
    )


def press_css(theme: Theme) -> str:
    """The press edition's inks: the output intent's profile, and every colour of the
    theme as CMYK (as given in theme.yaml, else converted through that profile)."""
    out = ["/* press: written by longread from theme.yaml; every colour in CMYK ink. */"]
    if theme.press_profile is not None:
        out.append(
            f"@color-profile device-cmyk {{ src: url({theme.press_profile.as_uri()}); components: c, m, y, k; }}"
        )
    inks = {}
    for key, value in theme.tokens.items():
        if key.startswith("colour-"):
            name = key.removeprefix("colour-")
            inks[key] = theme.press_colours.get(name) or to_cmyk(value, theme.press_profile)
    out.append(root_rule(inks))
    return "\n".join(out) + "\n"


def print_sheets(theme: Theme, paper: str, press: bool = False) -> list[Sheet]:
    """The layers of the print edition, in cascade order."""
    chosen = theme.papers[paper]
    sheets = [Sheet(TOKENS, text=tokens_css(theme, lambda p: p.resolve().as_uri()))]
    sheets += [Sheet(p.name, p) for p in theme.base_layers + theme.print_layers]
    sheets.append(Sheet(f"paper-{paper}.css", text=page_css(chosen)))
    if chosen.stylesheet is not None:
        sheets.append(Sheet(chosen.stylesheet.name, chosen.stylesheet))
    if press:
        sheets += [Sheet(p.name, p) for p in theme.press_layers]
        sheets.append(Sheet("press-inks.css", text=press_css(theme)))
    return sheets


def epub_sheets(theme: Theme) -> list[tuple[str, bytes]]:
    """The EPUB's stylesheets as (path in the package, content), in cascade order."""

    def font_url(path: Path) -> str:
        return theme.href(path).removeprefix("styles/")

    out = [(f"styles/{TOKENS}", tokens_css(theme, font_url).encode())]
    for path in theme.base_layers + theme.epub_layers:
        css = with_fallbacks(path.read_text(encoding="utf-8"), theme.tokens)
        out.append((theme.href(path), css.encode()))
    return out


def generated_text(theme: Theme) -> str:
    """Every character the theme's stylesheets write themselves (``content:``
    strings: ornaments, separators), which the subset fonts must keep."""
    import tinycss2

    papers = tuple(p.stylesheet for p in theme.papers.values() if p.stylesheet)
    chars: set[str] = set()
    for path in dict.fromkeys(theme.base_layers + theme.epub_layers + theme.print_layers + papers):
        for token in tinycss2.parse_component_value_list(path.read_text(encoding="utf-8")):
            _strings(token, chars)
    return "".join(sorted(chars))


def _strings(token, chars: set[str]) -> None:
    if token.type == "string":
        chars.update(token.value)
    for child in getattr(token, "content", None) or getattr(token, "arguments", None) or ():
        _strings(child, chars)


# --- values written out, for readers without custom properties ----------------------


def with_fallbacks(css: str, values: dict[str, str]) -> str:
    """The stylesheet with each declaration that uses a known ``var(--name)``
    preceded by a copy with the value written out."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=False)
    return "".join(_rule(r, values) for r in rules)


def _rule(rule, values: dict[str, str]) -> str:
    import tinycss2

    if rule.type == "qualified-rule":
        return tinycss2.serialize(rule.prelude) + "{" + _block(rule.content, values) + "}"
    if rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword in {"media", "supports"}:
        inner = tinycss2.parse_rule_list(rule.content, skip_comments=False, skip_whitespace=False)
        head = "@" + rule.at_keyword + tinycss2.serialize(rule.prelude)
        return head + "{" + "".join(_rule(r, values) for r in inner) + "}"
    return rule.serialize()


def _block(content, values: dict[str, str]) -> str:
    import tinycss2

    out = []
    for node in tinycss2.parse_blocks_contents(content, skip_comments=False, skip_whitespace=False):
        if node.type != "declaration":
            out.append(_rule(node, values) if node.type in {"qualified-rule", "at-rule"} else node.serialize())
            continue
        written = _written_out(node.value, values)
        if written is not None:
            out.append(f"{node.name}: {written}{' !important' if node.important else ''}; ")
        out.append(node.serialize() + ";")
    return "".join(out)


def _written_out(tokens, values: dict[str, str]) -> str | None:
    """The value with every ``var()`` replaced, or None when it uses none (or one
    the theme does not define)."""
    import tinycss2

    used, out = False, []
    for token in tokens:
        if token.type == "function" and token.lower_name == "var":
            args = [t for t in token.arguments if t.type not in {"whitespace", "comment"}]
            name = args[0].value.removeprefix("--") if args and args[0].type == "ident" else ""
            if name not in values:
                return None
            out.append(values[name])
            used = True
        elif token.type == "function":
            inner = _written_out(token.arguments, values)
            if inner is None and any(t.type == "function" and t.lower_name == "var" for t in token.arguments):
                return None
            out.append(f"{token.name}({inner if inner is not None else tinycss2.serialize(token.arguments)})")
            used = used or inner is not None
        else:
            out.append(token.serialize())
    return "".join(out).strip() if used else None


# --- colours as ink -------------------------------------------------------------------


def to_cmyk(colour: str, profile: Path | None) -> str:
    """A screen colour as CMYK ink.  A grey is printed in black ink alone, at the tint
    that matches its lightness on the press; any other colour is converted through
    the press profile (relative colorimetric)."""
    from .theme import srgb

    rgb = srgb(colour)
    assert rgb is not None  # checked when the theme was loaded
    if profile is None:
        k = 1 - max(rgb)
        c, m, y = ((1 - v - k) / (1 - k) if k < 1 else 0.0 for v in rgb)
        return _cmyk((c, m, y, k))
    if max(rgb) - min(rgb) < 0.02:
        return _cmyk((0.0, 0.0, 0.0, _black_tint(profile, _lightness(rgb))))
    return _cmyk(_converted(profile, tuple(round(v * 255) for v in rgb)))


def _cmyk(values) -> str:
    return "device-cmyk(" + " ".join(f"{v:.2f}".rstrip("0").rstrip(".") or "0" for v in values) + ")"


@cache
def _converted(profile: Path, rgb: tuple[int, ...]) -> tuple[float, ...]:
    from PIL import Image, ImageCms

    transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), str(profile), "RGB", "CMYK")
    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), transform).getpixel((0, 0))
    return tuple(v / 255 for v in pixel)


def _lightness(rgb: tuple[float, ...]) -> float:
    """CIE L* of an sRGB grey."""
    linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


@cache
def _black_ramp(profile: Path) -> tuple[float, ...]:
    """L* of black ink at 0, 1, ..., 100 per cent on the press profile's paper."""
    from PIL import Image, ImageCms

    ramp = Image.new("CMYK", (101, 1))
    ramp.putdata([(0, 0, 0, round(i * 2.55)) for i in range(101)])
    transform = ImageCms.buildTransform(str(profile), ImageCms.createProfile("LAB"), "CMYK", "LAB")
    lab = ImageCms.applyTransform(ramp, transform)
    return tuple(lab.getpixel((i, 0))[0] * 100 / 255 for i in range(101))


def _black_tint(profile: Path, lightness: float) -> float:
    ramp = _black_ramp(profile)
    if lightness <= ramp[-1]:
        return 1.0  # as dark as black ink goes, or darker: solid black
    best = min(range(101), key=lambda i: abs(ramp[i] - lightness))
    return best / 100

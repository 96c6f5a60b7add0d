"""The pipeline: read → typeset → render → write, for each manuscript."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import epub, fonts, theme as themes
from .errors import ManuscriptError
from .model import BuildOptions, Output, Theme
from .read import read
from .render import render
from .typeset import typeset
from .xhtml import plain_text


@dataclass
class Result:
    outputs: list[Output] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_time(options: BuildOptions) -> dt.datetime:
    """The build's timestamp: fixed by the options or SOURCE_DATE_EPOCH, else now (UTC)."""
    if options.build_time:
        return options.build_time
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ManuscriptError("SOURCE_DATE_EPOCH", f"not a Unix timestamp: {epoch!r}") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def find_manuscripts(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.glob("*.md") if q.is_file())
        else:
            found.append(p)
    return found


def build_one(path: Path, theme: Theme, options: BuildOptions) -> Result:
    """Build one manuscript's outputs; nothing is written unless all of them succeed."""
    result = Result()
    article = read(path)
    result.warnings += article.warnings
    article = typeset(article, theme.dash_style)
    rendition = render(article)
    lacking = fonts.missing(plain_text(rendition.body) + rendition.title, theme)
    if lacking:
        shown = " ".join(f"{c} (U+{ord(c):04X})" for c in lacking[:8])
        more = f" and {len(lacking) - 8} more" if len(lacking) > 8 else ""
        result.warnings.append(f"{path}: the theme's fonts cannot show {shown}{more}; "
                               "a fallback font will be used")
    cache_dir = options.output_dir / ".cache"
    made: dict[str, bytes] = {}
    if "epub" in options.formats:
        made["epub"] = epub.write(rendition, theme, build_time(options), cache_dir)
    if "pdf" in options.formats:
        from . import pdf  # WeasyPrint is loaded only when a PDF is wanted

        made["pdf"] = pdf.write(rendition, theme, options.paper, cache_dir, result.warnings)
    for ext, data in made.items():
        target = options.output_dir / f"{article.slug}.{ext}"
        write_atomically(target, data)
        result.outputs.append(Output(target, len(data)))
    return result


def build(manuscripts: list[Path], options: BuildOptions) -> Result:
    theme = themes.load(options.theme)
    result = Result()
    for path in find_manuscripts(manuscripts):
        one = build_one(path, theme, options)
        result.outputs += one.outputs
        result.warnings += one.warnings
    return result


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then move it into place: a reader
    never sees half a file, and a failed build leaves the previous output intact."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

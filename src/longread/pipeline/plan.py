"""One plan for a build: the theme loaded, the formats and papers checked against
what exists, the build time fixed.  Everything a build could refuse for its
options is refused here, before any manuscript is read."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from .. import theme as themes
from ..errors import ManuscriptError, UsageError
from ..model import LATEST_EPOCH, BuildOptions, Plan, settled

#: The outputs longread makes, by the name ``--format`` takes.
FORMATS = {
    "epub": "the EPUB 3 e-book",
    "pdf": "the print PDF (one per paper)",
    "html": "the web edition: one self-contained HTML page",
}


def build_time(given: dt.datetime | None = None) -> dt.datetime:
    """The build's one timestamp: the one given, else SOURCE_DATE_EPOCH (for
    reproducible builds), else now (UTC, to the second)."""
    if given:
        return given
    epoch = source_date_epoch()
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH as set, checked; empty when unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch and (not re.fullmatch(r"\d{1,10}", epoch) or int(epoch) > LATEST_EPOCH):
        raise ManuscriptError("SOURCE_DATE_EPOCH", f"not a Unix timestamp before 2100: {epoch[:20]!r}")
    return epoch


def make_plan(options: BuildOptions, archival: bool = False, project: Path | None = None) -> Plan:
    """The plan for ``options`` (those not given take their built-in values); a
    theme NAME is looked up in ``project``'s styles/ (the folder of the nearest
    longread.yaml), else in the working folder's project."""
    options = settled(options)
    unknown = [f for f in options.formats if f not in FORMATS]
    if unknown or not options.formats:
        raise UsageError("--format", f"unknown format {', '.join(unknown) or '(none)'} (use {', '.join(FORMATS)})")
    theme = themes.load(options.theme, project)
    papers = []
    for name in options.papers:
        if name not in theme.papers:
            raise UsageError(
                theme.folder / "theme.yaml",
                f"the theme has no '{name}' paper (it has: {', '.join(sorted(theme.papers))})",
            )
        papers.append(theme.papers[name])
    if options.press and not theme.press_layers:
        raise UsageError(theme.folder / "theme.yaml", "the theme has no press stylesheet (--press)")
    return Plan(
        theme=theme,
        formats=tuple(options.formats),
        papers=tuple(papers),
        press=options.press,
        build_time=build_time(options.build_time),
        output_dir=Path(options.output_dir),
        cache_dir=Path(options.output_dir) / ".cache" if options.cache else None,
        archival=archival,
        options=options,
    )

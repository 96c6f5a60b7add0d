"""Publication defaults: ``longread.yaml``, set once for every manuscript below it.

A ``longread.yaml`` in a manuscript's folder or in any folder above it gives the
values a publication repeats in every article::

    publisher: The Review
    rights: © 2026 The Review
    lang: en-GB
    author: The Review staff            # when an article names no author
    source: https://example.org/{slug}  # the article's address; {slug} is its file name
    theme: magazine                     # a name (looked up in styles/ beside this file) or a folder
    paper: letter, a4                   # the PDFs' trim sizes
    output: build                       # where builds write, from this file's folder

Several files may apply: the nearest one wins, key by key, over those above it.
A manuscript's front matter wins over all of them, and an option given on the
command line wins over the files.  The folder holding the nearest file is the
project: a theme NAME is looked up in its ``styles/`` folder.
"""

from __future__ import annotations

import hashlib
import os
import string
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ManuscriptError, quoted
from .findings import Finding, Report, error, unknown_keys
from .model import BuildOptions

FILE = "longread.yaml"
KEYS = {"publisher", "rights", "lang", "author", "source", "theme", "paper", "output"}
#: The placeholders a source pattern may use.
PLACEHOLDERS = {"slug"}
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class Defaults:
    """What the ``longread.yaml`` files above a source say, merged (nearest wins)."""

    #: The files, nearest first.
    files: tuple[Path, ...] = ()
    publisher: str = ""
    rights: str = ""
    lang: str = ""
    author: tuple[str, ...] = ()
    #: The source address pattern, ``https://example.org/{slug}``.
    source: str = ""
    theme: str | None = None
    paper: tuple[str, ...] | None = None
    output: Path | None = None
    #: Unknown keys and the like, one finding each.
    findings: tuple[Finding, ...] = ()
    #: The files' names and contents, hashed: a changed file makes outputs stale.
    digest: str = ""
    #: Which file gave each key.
    origins: dict[str, Path] = field(default_factory=dict, compare=False)

    @property
    def project(self) -> Path | None:
        """The folder of the nearest file, whose ``styles/`` holds the project's themes."""
        return self.files[0].parent if self.files else None

    def source_url(self, slug: str) -> str:
        """The address the pattern gives a manuscript (its file name, %-escaped as a URL needs)."""
        return self.source.format(slug=urllib.parse.quote(slug)) if self.source else ""


NONE = Defaults()


def files_above(folder: Path) -> tuple[Path, ...]:
    """Every ``longread.yaml`` from ``folder`` up to the root, nearest first."""
    here = Path(os.path.abspath(folder))
    return tuple(f for f in (d / FILE for d in (here, *here.parents)) if f.is_file())


def for_source(source: Path) -> Defaults:
    """The defaults that apply to a manuscript or collection file."""
    return load(files_above(Path(source).parent))


def load(files: tuple[Path, ...]) -> Defaults:
    """The files merged, the farthest first and each nearer one over it."""
    if not files:
        return NONE
    merged: dict = {}
    origins: dict[str, Path] = {}
    found: list[Finding] = []
    h = hashlib.sha256()
    for path in reversed(files):
        try:
            if path.stat().st_size > MAX_BYTES:
                raise error("cfg-002", path, f"{FILE} is over {MAX_BYTES // 1024} KB", "keep only the defaults in it")
            data = path.read_bytes()
        except OSError as e:
            raise error("cfg-002", path, f"{FILE} cannot be read ({e.strerror or e})") from None
        h.update(os.fsencode(path) + b"\0" + hashlib.sha256(data).digest())
        values, findings = read_file(path, data)
        merged.update(values)
        origins.update(dict.fromkeys(values, path))
        found += findings
    return Defaults(files=files, findings=tuple(found), digest=h.hexdigest(), origins=origins, **merged)


def read_file(path: Path, data: bytes) -> tuple[dict, list[Finding]]:
    """One file's values, checked; a value longread cannot use is an error."""
    from .source import language, yamltext

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise error("cfg-002", path, f"{FILE} is not UTF-8 text", "save it as UTF-8") from None
    loaded = yamltext.load(path, text, what=FILE)
    if loaded.data is None:
        return {}, []
    if not isinstance(loaded.data, dict):
        raise error("cfg-002", path, f"{FILE} must be 'key: value' lines", "see the README's example", (1, 1))
    report = Report(path)
    unknown_keys(report, "cfg-001", loaded.data, KEYS, loaded.key_at, f"unknown key {{key}} in {FILE} ignored")
    values: dict = {}
    for key in sorted(KEYS & set(map(str, loaded.data))):
        raw = loaded.data[key]
        at = loaded.value_at(key)
        if raw is None:
            continue
        try:
            values[key] = _value(path, key, raw)
            if key == "lang":
                language.check(path, values[key])
        except ManuscriptError as e:
            raise error("cfg-002", path, e.reason if e.path == path else str(e), at=at) from None
    return values, report.found


def _text(path: Path, key: str, raw: object) -> str:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip():
        raise ManuscriptError(path, f"'{key}' must be text")
    return " ".join(raw.split())


def _value(path: Path, key: str, raw: object) -> object:
    folder = path.parent
    if key == "author":
        names = raw if isinstance(raw, list) else [raw]
        return tuple(_text(path, key, n) for n in names)
    if key == "paper":
        names = raw if isinstance(raw, list) else str(raw).split(",")
        chosen = tuple(dict.fromkeys(_text(path, key, n).lower() for n in names if str(n).strip()))
        if not chosen:
            raise ManuscriptError(path, "'paper' must name at least one paper")
        return chosen
    value = _text(path, key, raw)
    if key == "output":
        return near(folder / Path(value).expanduser())
    if key == "theme":
        # A folder beside this file is that folder; a plain name is a theme NAME.
        beside = folder / value
        return str(beside) if ("/" in value or os.sep in value or (beside / "theme.yaml").is_file()) else value
    if key == "source":
        check_pattern(path, value)
    return value


def near(path: Path) -> Path:
    """A path as the user would name it: relative to the working folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return Path(rel) if not rel.startswith("..") else path


def check_pattern(path: Path, pattern: str) -> None:
    """A source address pattern: an http(s) address with only {slug} in it."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError:
        raise ManuscriptError(path, f"'source' {quoted(pattern)} has an unmatched {{ or }}") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ManuscriptError(
            path, f"'source' uses {{{sorted(unknown)[0]}}}; the only placeholder is {{slug}} (the file's name)"
        )
    if not pattern.startswith(("http://", "https://")) or any(c.isspace() for c in pattern):
        raise ManuscriptError(path, f"'source' must be an http(s) address, not {quoted(pattern)}")


# --- build options ----------------------------------------------------------------


def options_for(options: BuildOptions, defaults: Defaults) -> BuildOptions:
    """The options a source is built with: those given (on the command line) win
    over the file's, and the file's over the built-in ones (see
    :func:`~longread.model.settled`)."""
    from_file = {"theme": defaults.theme, "papers": defaults.paper, "output_dir": defaults.output}
    given = {name: getattr(options, name) for name in from_file}
    return replace(options, **{k: v for k, v in from_file.items() if given[k] is None and v is not None})


def took_from_file(options: BuildOptions, defaults: Defaults) -> list[Path]:
    """The files that gave a build option the command line did not (a bad one is
    their mistake)."""
    pairs = (("theme", "theme"), ("papers", "paper"), ("output_dir", "output"))
    taken = [defaults.origins[d] for o, d in pairs if getattr(options, o) is None and d in defaults.origins]
    return list(dict.fromkeys(taken))


def grouped(sources: Iterable[Path]) -> list[tuple[tuple[Path, ...], list[Path]]]:
    """Sources grouped by the ``longread.yaml`` files above them, in first-seen order."""
    groups: dict[tuple[Path, ...], list[Path]] = {}
    for source in sources:
        groups.setdefault(files_above(Path(source).parent), []).append(source)
    return list(groups.items())

"""``longread check``: every mistake in a source, found the way a build finds
them, with nothing written.

Each source is read, typeset and rendered by the build's own route (so a check
and a build never disagree), reading on past every mistake that leaves the rest
readable; with ``pages`` the print edition is laid out too, for what only the
layout shows (an image with too few pixels for its printed size, WeasyPrint's
own warnings).  No output folder, no cache, no stamp is made.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .errors import ManuscriptError, UsageError, shown
from .files import Inputs
from .findings import ERROR, WARNING, Finding, finding, from_error
from .model import Book, BuildOptions, Plan
from .pipeline.plan import make_plan
from .source.discover import distinct, find_manuscripts

#: What a check with no sources named checks.
DEFAULT_FOLDER = Path("manuscript")


@dataclass
class Checked:
    """One source's findings, in the order of its lines."""

    source: Path
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)


def check(sources: list[Path], options: BuildOptions | None = None, pages: bool = False) -> list[Checked]:
    """Check manuscripts, collections and folders of manuscripts (none named:
    every manuscript in ``manuscript/``).  Raises :class:`UsageError` for a
    request that cannot be met (no such paper); every problem with a source is
    one of its findings."""
    options = options or BuildOptions()
    if not sources:
        if not DEFAULT_FOLDER.is_dir():
            raise UsageError(f"{DEFAULT_FOLDER}/", "no manuscripts given and no manuscript/ folder here")
        sources = [DEFAULT_FOLDER]
    found, refused = find_manuscripts([Path(s) for s in sources])
    found = distinct(found)
    if not found and not refused:
        raise UsageError(sources[0], "no manuscripts (.md files) found")
    results = {p: Checked(p, [finding("gen-001", p, reason.split(": ", 1)[-1])]) for p, reason in refused.items()}
    for files, members in config.grouped(found):
        try:
            defaults = config.load(files)
        except ManuscriptError as e:
            results.update({p: Checked(p, from_error(e)) for p in members})
            continue
        chosen = config.options_for(options, defaults)
        chosen = dataclasses.replace(chosen, formats=("pdf",), cache=False, press=False)
        try:
            plan = make_plan(chosen, project=defaults.project)
        except ManuscriptError as e:
            if not config.took_from_file(options, defaults):
                raise UsageError(e.path, e.reason) from None
            results.update({p: Checked(p, from_error(e)) for p in members})
            continue
        for source in members:
            results[source] = check_one(source, plan, pages)
    return [tidy(results[p]) for p in list(refused) + found]


def check_one(source: Path, plan: Plan, pages: bool) -> Checked:
    from .pipeline.route import read_book

    start = time.perf_counter()
    found: list[Finding] = []
    try:
        book = read_book(source, plan, Inputs(), found, keep_going=True)
        if pages:
            found += lay_out(book, plan)
    except ManuscriptError as e:
        found += from_error(e)
    except OSError as e:
        found.append(finding("gen-001", source, f"{e.strerror or e}" + (f" ({e.filename})" if e.filename else "")))
    except RecursionError:
        found.append(finding("gen-001", source, "the manuscript is nested too deeply to lay out"))
    return Checked(source, found, time.perf_counter() - start)


def lay_out(book: Book, plan: Plan) -> list[Finding]:
    """The print edition laid out on every paper, in memory, for what only the
    layout shows."""
    from . import assets
    from .writers import pdf

    pdf.load_engine()
    found: list[Finding] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = assets.start(book, plan, pool)
        for paper in plan.papers:
            layout = pdf.lay_out(book, plan.theme, paper, made)
            found += [
                dataclasses.replace(f, message=f"{f.message}, on {paper.name} paper") if len(plan.papers) > 1 else f
                for f in layout.findings
            ]
    return found


def tidy(checked: Checked) -> Checked:
    """Each finding once, its file as the user would name it, in line order."""
    unique = {}
    for f in checked.findings:
        f = dataclasses.replace(f, path=config.near(f.path))
        unique.setdefault((f.code, f.path, f.line, f.column, f.message), f)
    order = sorted(unique.values(), key=lambda f: (shown(f.path), f.line or 0, f.column or 0, f.code))
    return dataclasses.replace(checked, findings=order)

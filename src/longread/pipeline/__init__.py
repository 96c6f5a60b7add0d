"""Building many sources: the route every build takes, from the library call and
from the command line alike.

:func:`build` settles one plan, finds the sources, refuses clashing output names,
skips sources whose outputs are up to date, builds the rest (here, on this
machine's cores or on a Dask cluster), stamps each success, and hands every
outcome to ``on_outcome`` as soon as it is known.
"""

from __future__ import annotations

import shutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__, config
from ..errors import ManuscriptError, shown
from ..model import BuildOptions, Outcome, Output, Plan
from ..source.discover import check_names, distinct, find_manuscripts
from . import stamps
from .executors import ExecutorError, run_here, run_on_cores, run_on_dask
from .plan import make_plan, source_date_epoch

KINDS = ("build", "archive")
#: What a build with no sources named builds.
DEFAULT_FOLDER = Path("manuscript")


@dataclass(frozen=True)
class Runner:
    """How sources are built: one at a time, on ``jobs`` processes, or on Dask."""

    jobs: int = 1
    scheduler: str | None = None  # a Dask scheduler address: build there
    #: Seconds to wait for the Dask scheduler to answer.
    connect_timeout: float = 20


def build(
    sources: list[Path],
    options: BuildOptions | None = None,
    kind: str = "build",
    runner: Runner | None = None,
    on_start: Callable[[Plan, list[Path]], None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Build (or archive) manuscripts, collections and folders of manuscripts
    (none named: every manuscript in ``manuscript/``).

    Sources under different ``longread.yaml`` files are built with their own
    defaults: one plan per group (see :mod:`longread.config`).

    Raises :class:`ManuscriptError` for a problem with the request itself (no such
    theme or paper, nothing to build, clashing names); a problem with one source
    becomes that source's failed :class:`Outcome`, and the others are still built.
    """
    options = options or BuildOptions()
    runner = runner or Runner()
    if kind not in KINDS:
        raise ValueError(kind)
    if not sources:  # the project's manuscript/ folder
        if not DEFAULT_FOLDER.is_dir():
            make_plan(options, kind == "archive")  # wrong options are told first
            raise ManuscriptError(f"{DEFAULT_FOLDER}/", "no manuscripts given and no manuscript/ folder here")
        sources = [DEFAULT_FOLDER]
    found, refused = find_manuscripts([Path(s) for s in sources])
    found = distinct(found)
    if not found and not refused:
        make_plan(options, kind == "archive")
        raise ManuscriptError(sources[0] if sources else "manuscript/", "no manuscripts (.md files) found")
    outcomes = {p: Outcome(p, error=reason) for p, reason in refused.items()}
    groups = plan_groups(found, options, kind, outcomes)
    for output_dir in {plan.output_dir for plan, _, _ in groups}:
        check_names([p for plan, _, members in groups if plan.output_dir == output_dir for p in members])
    todo = [to_build(kind, plan, current, members, outcomes) for plan, current, members in groups]
    for outcome in outcomes.values():
        if on_outcome:
            on_outcome(outcome)
    if on_start and groups:
        on_start(groups[0][0], [source for sources in todo for source in sources])
    for (plan, current, _), sources in zip(groups, todo, strict=True):
        run_group(kind, plan, current, sources, runner, outcomes, on_outcome)
    order = list(refused) + found
    return [outcomes[p] for p in order]


def plan_groups(found: list[Path], options: BuildOptions, kind: str, outcomes: dict) -> list:
    """(plan, stamp settings, sources) per group of sources sharing longread.yaml
    files.  A group whose file is wrong fails each of its sources with that error."""
    groups = []
    for files, members in config.grouped(found):
        try:
            defaults = config.load(files)
        except ManuscriptError as e:
            outcomes.update({p: Outcome(p, error=str(e)) for p in members})
            continue
        try:
            plan = make_plan(config.options_for(options, defaults), kind == "archive", defaults.project)
        except ManuscriptError as e:
            taken = config.took_from_file(options, defaults)
            if not taken:
                raise  # the command line's own options: a usage error for the whole run
            outcomes.update({p: Outcome(p, error=f"{e} (as {', '.join(map(shown, taken))} asks)") for p in members})
            continue
        epoch = source_date_epoch()
        current = stamps.settings(plan.options, kind, plan.theme.folder, __version__, epoch, defaults.digest)
        groups.append((plan, current, members))
    return groups


def to_build(kind: str, plan: Plan, current: dict, members: list[Path], outcomes: dict) -> list[Path]:
    """The sources whose outputs are not up to date; the others' outcomes are recorded."""
    todo = []
    for source in members:
        done = stamps.up_to_date(source, current, plan.output_dir, kind)
        if done is None:
            todo.append(source)
        else:
            files, warnings = done
            sizes = [Output(p, sum(f.stat().st_size for f in stamps.files_in([p]))) for p in files]
            outcomes[source] = Outcome(source, sizes, warnings, up_to_date=True)
    return todo


def run_group(kind: str, plan: Plan, current: dict, todo: list[Path], runner: Runner, outcomes: dict, on_outcome):
    had_cache = plan.cache_dir is not None and plan.cache_dir.exists()
    for outcome in execute(kind, todo, plan, runner):
        if not outcome.error:
            stamps.record(
                outcome.manuscript,
                current,
                plan.output_dir,
                kind,
                outcome.inputs,
                [o.path for o in outcome.outputs],
                outcome.warnings,
            )
        outcomes[outcome.manuscript] = outcome
        if on_outcome:
            on_outcome(outcome)
    if plan.cache_dir is not None and not had_cache and todo and all(outcomes[p].error for p in todo):
        shutil.rmtree(plan.cache_dir, ignore_errors=True)  # nothing built: leave the folder as it was


def execute(kind: str, sources: list[Path], plan: Plan, runner: Runner):
    if not sources:
        return
    try:
        if runner.scheduler:
            yield from run_on_dask(build_one, kind, sources, plan, runner.scheduler, runner.connect_timeout)
        elif runner.jobs > 1 and len(sources) > 1:
            yield from run_on_cores(build_one, kind, sources, plan, min(runner.jobs, len(sources)))
        else:
            yield from run_here(build_one, kind, sources, plan)
    except ExecutorError as e:
        for source in sources:
            yield Outcome(source, error=f"{shown(source)}: not built: {e}")


def build_one(kind: str, source: Path, plan: Plan) -> Outcome:
    """Build (or archive) one source, turning every failure into a one-line error
    (and, for a failure of longread's own, its traceback for ``--debug``)."""
    from .route import build_source

    start = time.perf_counter()
    outcome = Outcome(source)
    try:
        built = build_source(source, plan)
        outcome.outputs, outcome.warnings, outcome.notes, outcome.inputs = (
            built.outputs,
            built.warnings,
            built.notes,
            built.inputs,
        )
    except ManuscriptError as e:
        outcome.error = str(e)
    except OSError as e:  # a file that cannot be read or written, a full disk
        where = f" ({shown(e.filename)})" if e.filename else ""
        outcome.error = f"{shown(source)}: {e.strerror or e}{where}"
    except RecursionError:
        outcome.error = f"{shown(source)}: the manuscript is nested too deeply to lay out"
    except MemoryError:
        outcome.error = f"{shown(source)}: the manuscript needs more memory than this machine has"
    except Exception as e:  # a bug of ours: still one line, never a traceback
        outcome.error = (
            f"{shown(source)}: internal error ({type(e).__name__}: {shown(e)}); run with --debug for details"
        )
        outcome.trace = traceback.format_exc()
    outcome.seconds = time.perf_counter() - start
    return outcome

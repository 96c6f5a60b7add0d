"""What the command prints: each outcome as soon as it is known, a progress bar
on a terminal, a summary table, or one JSON report for scripts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import shown
from ..model import Outcome

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Reporter:
    """What the command prints: each outcome as soon as it is known (errors first
    and at once), a progress bar on a terminal, and a summary."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.bar = None
        self.task = None
        self.seen: list[Outcome] = []
        self.said: set[str] = set()

    def say(self, text: str, err: bool = False) -> None:
        stream = sys.stderr if err else sys.stdout
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False, soft_wrap=True, stderr=err)
        else:
            print(text, file=stream, flush=True)

    def error(self, message: str) -> None:
        if self.args.json:
            print(json.dumps({"error": message, "exit": EXIT_FAILED}, ensure_ascii=False))
        else:
            self.say(f"error: {one_line(message)}", err=True)

    def start(self, plan, todo: list[Path]) -> None:
        if self.args.verbose:
            self.plan_summary(plan, todo)
        if len(todo) < 2 or self.args.quiet or self.args.json or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task(f"building {len(todo)} sources", total=len(todo))

    def plan_summary(self, plan, todo: list[Path]) -> None:
        from ..theme import describe

        self.say(shown(describe(plan.theme)), err=True)
        papers = ", ".join(p.name for p in plan.papers)
        self.say(f"formats: {', '.join(plan.formats)}; papers: {papers}; to build: {len(todo)}", err=True)

    def outcome(self, o: Outcome) -> None:
        self.seen.append(o)
        if self.bar is not None and not o.up_to_date:
            self.bar.update(self.task, advance=1, description=f"built {shown(o.manuscript.name)}")
        if self.args.json:
            return
        if not self.args.quiet:
            # A warning about a shared file (longread.yaml) is said once, not per manuscript.
            for w in [w for w in dict.fromkeys(o.warnings) if w not in self.said]:
                self.said.add(w)
                self.say(f"{'error' if self.args.strict else 'warning'}: {one_line(w)}", err=True)
        if self.args.verbose:
            for note in o.notes:
                self.say(f"note: {one_line(note)}", err=True)
        if o.error:
            self.say(f"error: {one_line(o.error)}", err=True)
            if self.args.debug and o.trace:
                self.say(o.trace.rstrip(), err=True)
        if self.args.quiet:
            return
        for i, out in enumerate(o.outputs):
            note = "  (up to date)" if o.up_to_date else ""
            # With --verbose the source's build time follows its first output.
            timing = f"  ({o.seconds:.2f} s)" if self.args.verbose and not o.up_to_date and i == 0 else ""
            self.say(f"{shown(out.path)}  {human(out.size)}{note}{timing}")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def finish(self, outcomes: list[Outcome]) -> int:
        failed = any(o.error for o in outcomes) or (self.args.strict and any(o.warnings for o in outcomes))
        code = EXIT_FAILED if failed else EXIT_OK
        if self.args.json:
            print(json.dumps(json_report(outcomes, code), ensure_ascii=False, indent=1))
        elif len(outcomes) > 1 and not self.args.quiet:
            summary(outcomes)
        return code


def status(o: Outcome) -> str:
    if o.error:
        return "failed"
    if o.up_to_date:
        return "up to date"
    if o.warnings:
        n = len(set(o.warnings))
        return f"built, {n} warning{'s' * (n != 1)}"
    return "built"


def json_report(outcomes: list[Outcome], code: int) -> dict:
    return {
        "exit": code,
        "outcomes": [
            {
                "source": shown(o.manuscript),
                "status": status(o).split(",")[0],
                "outputs": [{"path": shown(out.path), "bytes": out.size} for out in o.outputs],
                "warnings": list(dict.fromkeys(shown(w) for w in o.warnings)),
                "error": shown(o.error) or None,
                "seconds": round(o.seconds, 3),
            }
            for o in outcomes
        ],
    }


def human(size: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def one_line(message: str) -> str:
    """A message as one line, whatever characters it quotes."""
    return " ".join(shown(message).split())


def summary(outcomes: list[Outcome]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="longread", title_justify="left")
    for column in ("source", "result", "outputs", "time"):
        table.add_column(column, justify="right" if column == "time" else "left")
    for o in outcomes:
        time = "" if o.up_to_date or not o.seconds else f"{o.seconds:.1f} s"
        outputs = ", ".join(shown(p.path.name) for p in o.outputs) or "-"
        table.add_row(shown(o.manuscript), status(o), outputs, time)
    failed = sum(1 for o in outcomes if o.error)
    warned = sum(1 for o in outcomes if o.warnings and not o.error)
    table.caption = f"{len(outcomes) - failed} of {len(outcomes)} manuscripts built"
    table.caption += f", {failed} failed" if failed else ""
    table.caption += f", {warned} with warnings" if warned else ""
    Console(width=max(100, Console().width), soft_wrap=True, markup=False).print(table)

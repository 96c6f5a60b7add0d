#!/usr/bin/env python3
"""Benchmark `longread build` against its peers, and against the project's speed targets.

Run from the repository root (after `pip install -r benchmarks/requirements.txt`):

    python benchmarks/bench.py [--runs N] [--big-runs N] [--quick] [--inputs LIST] [--write-readme]

Peers: pandoc's EPUB (the theme's CSS, the four Gentium faces embedded), pandoc's
PDF through WeasyPrint (the theme's print CSS), and Typst (pandoc's Typst
writer turns the manuscript into a .typ file beforehand, untimed; the timed
command compiles it), the speed reference of the field.

Every command runs as a fresh process into a fresh folder (so longread's cache
is cold), once untimed, then N times interleaved (A, B, C, A, B, C, ...) so that
machine noise hits all alike.  Time is the wall clock around the child; peak
memory is the child's ru_maxrss from os.wait4(), which for a child that starts
children (pandoc runs `weasyprint`) is the largest peak of any one process in
that tree.  longread runs from this checkout's src/ whatever is installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pypandoc

sys.path.insert(0, str(Path(__file__).resolve().parent))
import inputs  # noqa: E402 (the sibling module, found through the path above)

ROOT = inputs.ROOT
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PANDOC = pypandoc.get_pandoc_path()
BIN = Path(sys.executable).parent  # where pip put `weasyprint`, which pandoc runs
ENV = {
    **os.environ,
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
}
LONGREAD = [sys.executable, "-m", "longread"]
TYPST = [
    sys.executable,
    "-c",
    "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], root=sys.argv[3], "
    "font_paths=[sys.argv[4]], ignore_system_fonts=True)",
]
LABELS = {
    "review": "review",
    "50x": f"{inputs.REPEAT}× article",
    "3mb": "3 MB manuscript",
    "png": "28 MB PNG photo",
}
BIG = {"3mb", "png"}  # timed --big-runs times, warmed up only when nothing ran before


class BenchError(SystemExit):
    pass


# --- one measured child ----------------------------------------------------------------


def measure(argv: list[str], log: Path, cwd: Path) -> tuple[float, int]:
    """Run argv to completion; return (wall seconds, peak RSS in bytes)."""
    with open(log, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=ENV, cwd=cwd)
        # wait4 reaps this one child and returns its own rusage (RUSAGE_CHILDREN would
        # be the maximum over every child so far).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise BenchError(f"\nFAILED (exit {proc.returncode}): {' '.join(argv)}\n{tail}")
    return wall, usage.ru_maxrss * 1024  # KiB on Linux


@dataclass
class Command:
    """One command to time; make(run_dir) gives (argv, glob patterns of its outputs)."""

    name: str
    make: object
    warm: bool = False  # the no-change rebuild: run once untimed, time the second run
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)

    def run(self, run_dir: Path) -> None:
        run_dir.mkdir(parents=True)
        argv, patterns = self.make(run_dir)
        if self.warm:
            measure(argv, run_dir / "first.log", run_dir)
        wall, peak = measure(argv, run_dir / "run.log", run_dir)
        for pattern in patterns:  # exit 0 is not enough: the outputs must be there
            if not any(f.stat().st_size for f in run_dir.glob(pattern)):
                raise BenchError(f"\nFAILED: {' '.join(argv)} exited 0 but wrote no {pattern}")
        self.times.append(wall)
        self.peaks.append(peak)

    @property
    def t(self) -> float:
        return statistics.median(self.times)

    @property
    def mem(self) -> int:
        return int(statistics.median(self.peaks))


def commands_for(key: str, src: Path, epub_css: Path, pdf_css: Path) -> dict[str, Command]:
    embed = [f"--epub-embed-font={f}" for f in inputs.FONTS]

    def longread(fmt: str | None, warm: bool = False) -> Command:
        def make(d: Path):
            argv = [*LONGREAD, "build", str(src), "-o", str(d / "out")]
            if fmt:
                return [*argv, "--format", fmt], [f"out/*.{fmt}"]
            return argv, ["out/*.epub", "out/*.pdf"]

        name = "longread " + (fmt or "epub+pdf") + (" rebuild" if warm else "")
        return Command(name, make, warm)

    def pandoc_epub(d: Path):
        out = d / f"{src.stem}.epub"
        return [PANDOC, str(src), "-o", str(out), "--resource-path", str(src.parent), "--css", str(epub_css), *embed], [
            out.name
        ]

    def pandoc_pdf(d: Path):
        out = d / f"{src.stem}.pdf"
        argv = [PANDOC, str(src), "-o", str(out), "--pdf-engine=weasyprint", "--resource-path", str(src.parent)]
        return [*argv, "--css", str(pdf_css)], [out.name]

    typ = inputs.typst_source(PANDOC, src) if key in ("review", "50x") else None

    def typst_pdf(d: Path):
        out = d / f"{src.stem}.pdf"
        return [*TYPST, str(typ), str(out), str(src.parent), str(inputs.THEME / "fonts")], [out.name]

    both = longread(None)
    found = {both.name: both}
    if key == "3mb":  # the peer's own time and memory on a book-length text
        for c in (Command("pandoc epub", pandoc_epub), Command("pandoc pdf", pandoc_pdf)):
            found[c.name] = c
    if key in ("review", "50x"):
        for c in (
            longread("epub"),
            longread("pdf"),
            Command("pandoc epub", pandoc_epub),
            Command("pandoc pdf", pandoc_pdf),
            Command("typst pdf", typst_pdf),
        ):
            found[c.name] = c
    if key == "review":
        rebuild = longread(None, warm=True)
        found[rebuild.name] = rebuild
    return found


# --- the table -------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a longread command against a peer, or against a target."""

    key: str
    job: str
    ours: str
    peers: tuple[str, ...] = ()
    peer_label: str = ""
    time_ratio: float | None = None  # target: longread / peer, time
    mem_ratio: float | None = None
    seconds: float | None = None  # target: absolute
    megabytes: float | None = None


PAIR = "pandoc EPUB + pandoc→WeasyPrint PDF"
ROWS = (
    Row("review", "EPUB + PDF", "longread epub+pdf", ("pandoc epub", "pandoc pdf"), PAIR, 1.0, 1.2),
    Row("review", "EPUB only", "longread epub", ("pandoc epub",), "pandoc EPUB, same CSS, 4 fonts embedded", 1.5),
    Row("review", "PDF only", "longread pdf", ("pandoc pdf",), "pandoc→WeasyPrint PDF"),
    Row("review", "PDF only", "longread pdf", ("typst pdf",), "Typst PDF (speed reference)"),
    Row("review", "no-change rebuild", "longread epub+pdf rebuild"),
    Row("50x", "EPUB + PDF", "longread epub+pdf", ("pandoc epub", "pandoc pdf"), PAIR, 1.0),
    Row("50x", "EPUB only", "longread epub", ("pandoc epub",), "pandoc EPUB, same CSS, 4 fonts embedded"),
    Row("50x", "PDF only", "longread pdf", ("pandoc pdf",), "pandoc→WeasyPrint PDF"),
    Row("50x", "PDF only", "longread pdf", ("typst pdf",), "Typst PDF (speed reference)"),
    Row("3mb", "EPUB + PDF", "longread epub+pdf", ("pandoc epub", "pandoc pdf"), PAIR, seconds=45, megabytes=600),
    Row("png", "EPUB + PDF", "longread epub+pdf", seconds=5, megabytes=300),
)


def fmt(seconds: float, peak: int) -> str:
    return f"{seconds:.2f} s, {peak / 2**20:.0f} MB"


def verdicts(row: Row, t: float, mb: float, tr: float | None, mr: float | None) -> tuple[str, str]:
    """The row's targets, and whether this run met them."""
    targets, met = [], []
    for limit, value, unit in (
        (row.time_ratio, tr, "× time"),
        (row.mem_ratio, mr, "× memory"),
        (row.seconds, t, " s"),
        (row.megabytes, mb, " MB"),
    ):
        if limit is not None and value is not None:
            targets.append(f"≤ {limit:g}{unit}")
            met.append("yes" if value <= limit else "**no**")
    return ", ".join(targets), ", ".join(met)


def row_cells(row: Row, cmds: dict[str, Command]) -> list[str]:
    ours = cmds[row.ours]
    label = f"{LABELS[row.key]}, {row.job}"
    if not row.peers:
        target, met = verdicts(row, ours.t, ours.mem / 2**20, None, None)
        return [label, fmt(ours.t, ours.mem), "", "", "", "", target, met]
    peers = [cmds[p] for p in row.peers]
    # A peer in two commands runs them one after the other: times add, the peak is the larger.
    pt, pm = sum(p.t for p in peers), max(p.mem for p in peers)
    tr, mr = ours.t / pt, ours.mem / pm
    target, met = verdicts(row, ours.t, ours.mem / 2**20, tr, mr)
    return [label, fmt(ours.t, ours.mem), row.peer_label, fmt(pt, pm), f"{tr:.2f}×", f"{mr:.2f}×", target, met]


def table(results: dict[str, dict[str, Command]], runs: dict[str, int]) -> str:
    lines = [
        "| job | longread | peer | peer's figures | time ratio | memory ratio | target | met |",
        "|---|--:|---|--:|--:|--:|---|---|",
    ]
    for row in ROWS:
        if row.key in results:
            lines.append("| " + " | ".join(row_cells(row, results[row.key])) + " |")
    counts = ", ".join(f"{LABELS[k]} {n}" for k, n in runs.items() if k in results)
    lines.append(
        f"\nMedians of N runs ({counts}), each a fresh process into a fresh folder (a cold "
        "cache); ratio = longread / peer. A two-command peer's time is the sum of the "
        "medians, its peak the larger one. Peak = largest RSS of any one process of the "
        "command (os.wait4). The pandoc and Typst peers set no lead photo (pandoc ignores "
        "the front matter's `photo`), Typst's figure includes Python's start (about 20 ms)."
    )
    return "\n".join(lines)


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([*LONGREAD, "--version"], capture_output=True, text=True, env=ENV).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"Machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average before the run {load}; "
        f"{dt.date.today().isoformat()}; {version or 'longread ?'}, pandoc {pypandoc.get_pandoc_version()}, "
        f"WeasyPrint {importlib.metadata.version('weasyprint')}, Typst (PyPI typst "
        f"{importlib.metadata.version('typst')})."
    )


def write_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text or text.index(START) > text.index(END):
        print(f"\n{README.name} has no {START} ... {END} markers: left untouched.")
        return
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{block}\n{END}{tail}", encoding="utf-8")
    print(f"\nUpdated the benchmark section of {README.name}.")


# --- running ---------------------------------------------------------------------------


def run_input(key: str, cmds: dict[str, Command], runs: int, base: Path, warm_up: bool) -> None:
    """One untimed round (disk cache, .pyc files), then interleaved timed rounds."""
    for rnd in range(-1 if warm_up else 0, runs):
        for cmd in cmds.values():
            step = "warm-up" if rnd < 0 else f"run {rnd + 1}/{runs}"
            print(f"\r{LABELS[key]}: {step} {cmd.name:<28}", end="", flush=True, file=sys.stderr)
            cmd.run(base / f"{cmd.name.replace(' ', '_')}-{rnd + 1}")
            if rnd < 0:
                cmd.times.clear()
                cmd.peaks.clear()
    print(file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command, review and 50x (default 5)")
    ap.add_argument("--big-runs", type=int, default=3, help="timed runs for the 3 MB and PNG inputs (default 3)")
    ap.add_argument("--quick", action="store_true", help="2 runs per command (big inputs: 1)")
    ap.add_argument("--inputs", default="review,50x,3mb,png", help="which inputs (default: review,50x,3mb,png)")
    ap.add_argument("--json", type=Path, help="also write every measurement to this JSON file")
    ap.add_argument("--write-readme", action="store_true", help=f"put the table between {START} and {END} in README.md")
    args = ap.parse_args()
    wanted = [k.strip() for k in args.inputs.split(",") if k.strip()]
    if unknown := set(wanted) - set(LABELS):
        ap.error(f"unknown input(s): {', '.join(sorted(unknown))} (known: {', '.join(LABELS)})")
    small, big = (2, 1) if args.quick else (max(1, args.runs), max(1, args.big_runs))
    runs = {k: big if k in BIG else small for k in wanted}

    machine = machine_line()
    with tempfile.TemporaryDirectory(prefix="longread-bench-") as tmp:
        work = Path(tmp)
        print("preparing inputs ...", file=sys.stderr)
        # In a process of its own: Linux counts the memory of the process that
        # starts a command in that command's peak (a child begins as a copy of it),
        # and making the 28 MB PNG takes hundreds of megabytes.
        subprocess.run([sys.executable, inputs.__file__, str(work), ",".join(wanted)], check=True)
        sources = inputs.paths(work, set(wanted))
        epub_css, pdf_css = inputs.peer_css(work)
        # longread's bytecode, as an installed package has it (pip compiles what it
        # installs, WeasyPrint and pandoc's peers included): otherwise, where
        # PYTHONDONTWRITEBYTECODE is set, every run would compile its modules first.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "longread")], check=True)
        results = {}
        for n, key in enumerate(wanted):
            cmds = commands_for(key, sources[key], epub_css, pdf_css)
            # A big input's warm-up would cost minutes: the inputs before it warmed the caches.
            run_input(key, cmds, runs[key], work / key, warm_up=n == 0 or key not in BIG)
            results[key] = cmds

    block = table(results, runs) + "\n\n" + machine
    print(block)
    if args.json:
        raw = {k: {c.name: {"times": c.times, "peaks": c.peaks} for c in v.values()} for k, v in results.items()}
        args.json.write_text(json.dumps({"machine": machine, "runs": raw}, indent=1), encoding="utf-8")
    if args.write_readme:
        write_readme(block)


if __name__ == "__main__":
    main()

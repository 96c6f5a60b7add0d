#!/usr/bin/env python3
"""Benchmark `longread build` against pandoc (EPUB, and PDF through WeasyPrint).

Run from the repository root with the project's virtualenv:

    python benchmarks/bench.py [--runs N] [--quick] [--write-readme]

Inputs: the bundled review, and a 50x article made from it (same front matter,
the body repeated 50 times, each repetition under a "## Part N" subhead).

Every command runs as a fresh subprocess, and the commands are interleaved
(A, B, C, D, A, B, C, D, ...) so that machine noise hits them all alike.  Wall
time is time.perf_counter() around the child; peak memory is the child's
ru_maxrss as returned by os.wait4() for that one child.  For a child that
starts children of its own (pandoc runs `weasyprint`), Linux reports the
largest peak of any single process in that tree, not the sum of both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPT = ROOT / "manuscript" / "last-take-review.md"
THEME = ROOT / "styles" / "magazine"
FONTS = sorted((THEME / "fonts").glob("GentiumBookPlus-*.ttf"))
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
REPEAT = 50

BIN = Path(sys.executable).parent  # the venv's bin/: longread and weasyprint live here
PANDOC = pypandoc.get_pandoc_path()
LONGREAD = [str(BIN / "longread")] if (BIN / "longread").exists() else [sys.executable, "-m", "longread.cli"]
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


class BenchError(SystemExit):
    pass


# --- inputs and stylesheets -------------------------------------------------------------


def split_front_matter(text: str) -> tuple[str, str]:
    m = re.match(r"---\n.*?\n---\n", text, re.S)
    if not m:
        raise BenchError(f"{MANUSCRIPT}: no YAML front matter block")
    return m.group(0), text[m.end() :].strip()


def prepare_inputs(work: Path) -> dict[str, Path]:
    """Both manuscripts in one folder beside a copy of images/, as the front matter expects."""
    src = work / "src"
    shutil.copytree(MANUSCRIPT.parent / "images", src / "images")
    review = src / MANUSCRIPT.name
    shutil.copy2(MANUSCRIPT, review)
    front, body = split_front_matter(MANUSCRIPT.read_text(encoding="utf-8"))
    parts = [f"## Part {n}\n\n{body}\n" for n in range(1, REPEAT + 1)]
    long = src / f"last-take-review-x{REPEAT}.md"
    long.write_text(front + "\n" + "\n".join(parts), encoding="utf-8")
    return {"review": review, f"{REPEAT}x article": long}


def prepare_css(work: Path) -> tuple[Path, Path]:
    """Stylesheets for pandoc that match longread's: base+epub for the e-book, and
    base+print+paper-letter for the PDF.  Font URLs are rewritten: in pandoc's EPUB
    the CSS sits in EPUB/styles/ and the embedded fonts in EPUB/fonts/; for the PDF
    they become absolute file: URLs."""

    def joined(*names: str) -> str:
        return "\n".join((THEME / n).read_text(encoding="utf-8") for n in names)

    epub_css = work / "pandoc-epub.css"
    epub_css.write_text(joined("base.css", "epub.css").replace("url(fonts/", "url(../fonts/"), encoding="utf-8")
    pdf_css = work / "pandoc-print.css"
    fonts_uri = (THEME / "fonts").as_uri() + "/"
    pdf_css.write_text(
        joined("base.css", "print.css", "paper-letter.css").replace("url(fonts/", f"url({fonts_uri}"), encoding="utf-8"
    )
    return epub_css, pdf_css


# --- one measured child ----------------------------------------------------------------


def measure(argv: list[str], log: Path) -> tuple[float, int]:
    """Run argv to completion; return (wall seconds, peak RSS in bytes).  Stops the
    benchmark with the child's output if it exits non-zero."""
    with open(log, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=ENV, cwd=ROOT)
        # wait4 reaps this one child and returns its own rusage (RUSAGE_CHILDREN would
        # only ever grow: it is the maximum over every child so far).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise BenchError(f"\nFAILED (exit {proc.returncode}): {' '.join(argv)}\n{tail}")
    return wall, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


class Task:
    """One command to time; make(run_dir) returns (argv, glob patterns of its outputs)."""

    def __init__(self, name: str, make, warm: bool = False):
        self.name, self.make, self.warm = name, make, warm
        self.times: list[float] = []
        self.peaks: list[int] = []

    def run(self, run_dir: Path) -> None:
        run_dir.mkdir(parents=True)
        argv, patterns = self.make(run_dir)
        if self.warm:  # the no-change rebuild: build once untimed, time the second
            measure(argv, run_dir / "first.log")
        wall, peak = measure(argv, run_dir / "run.log")
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


def tasks_for(src: Path, epub_css: Path, pdf_css: Path) -> dict[str, Task]:
    stem = src.stem
    embed = [f"--epub-embed-font={f}" for f in FONTS]

    def longread(fmt: str | None):
        def make(d: Path):
            # longread names its outputs after the article's slug: look for any .epub/.pdf
            argv = [*LONGREAD, "build", str(src), "-o", str(d / "out")]
            if fmt:
                return [*argv, "--format", fmt], [f"out/*.{fmt}"]
            return argv, ["out/*.epub", "out/*.pdf"]

        return make

    def pandoc_epub(d: Path):
        # pandoc reads the YAML block itself (title, subtitle, lang); it has no use for `photo`.
        out = d / f"{stem}.epub"
        return [PANDOC, str(src), "-o", str(out), "--resource-path", str(src.parent), "--css", str(epub_css), *embed], [
            out.name
        ]

    def pandoc_pdf(d: Path):
        out = d / f"{stem}.pdf"
        return [
            PANDOC,
            str(src),
            "-o",
            str(out),
            "--pdf-engine=weasyprint",
            "--resource-path",
            str(src.parent),
            "--css",
            str(pdf_css),
        ], [out.name]

    return {
        "longread epub": Task("longread epub", longread("epub")),
        "pandoc epub": Task("pandoc epub", pandoc_epub),
        "longread epub+pdf": Task("longread epub+pdf", longread(None)),
        "pandoc pdf": Task("pandoc pdf", pandoc_pdf),
        "longread rebuild": Task("longread rebuild", longread(None), warm=True),
    }


# --- report ------------------------------------------------------------------------------


def fmt_s(s: float) -> str:
    return f"{s:.2f} s"


def fmt_mb(b: int) -> str:
    return f"{b / 2**20:.0f} MB"


def table(results: dict[str, dict[str, Task]], runs: int) -> str:
    rows = [
        "| input | job | longread | pandoc | time ratio | longread peak | pandoc peak | memory ratio |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for label, t in results.items():
        le, pe, lb, pp, rb = (
            t[k] for k in ("longread epub", "pandoc epub", "longread epub+pdf", "pandoc pdf", "longread rebuild")
        )
        both_t = pe.t + pp.t  # the peer does it in two commands: add the medians
        both_m = max(pe.mem, pp.mem)  # ... which run one after the other: the larger peak
        rows += [
            f"| {label} | EPUB | {fmt_s(le.t)} | {fmt_s(pe.t)} | {le.t / pe.t:.1f}x "
            f"| {fmt_mb(le.mem)} | {fmt_mb(pe.mem)} | {le.mem / pe.mem:.1f}x |",
            f"| {label} | PDF (pandoc alone) | | {fmt_s(pp.t)} | | | {fmt_mb(pp.mem)} | |",
            f"| {label} | EPUB+PDF | {fmt_s(lb.t)} | {fmt_s(both_t)} | {lb.t / both_t:.1f}x "
            f"| {fmt_mb(lb.mem)} | {fmt_mb(both_m)} | {lb.mem / both_m:.1f}x |",
            f"| {label} | EPUB+PDF, no-change rebuild | {fmt_s(rb.t)} | | | {fmt_mb(rb.mem)} | | |",
        ]
    rows.append(
        f"\nMedians of {runs} runs, each a fresh process; ratio = longread / pandoc. "
        "Pandoc's EPUB+PDF is `pandoc → .epub` plus `pandoc --pdf-engine=weasyprint → .pdf` "
        "(sum of the two medians; peak = the larger one). Peak = max RSS of the process tree's "
        "largest process (os.wait4)."
    )
    return "\n".join(rows)


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    longread_v = subprocess.run([*LONGREAD, "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"Machine: {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {dt.date.today().isoformat()}; "
        f"{longread_v or 'longread ?'}, pandoc {pypandoc.get_pandoc_version()}, "
        f"WeasyPrint {importlib.metadata.version('weasyprint')}."
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    ap.add_argument("--quick", action="store_true", help="2 runs per command")
    ap.add_argument("--write-readme", action="store_true", help=f"put the table between {START} and {END} in README.md")
    args = ap.parse_args()
    runs = 2 if args.quick else max(1, args.runs)

    with tempfile.TemporaryDirectory(prefix="longread-bench-") as tmp:
        work = Path(tmp)
        inputs = prepare_inputs(work)
        epub_css, pdf_css = prepare_css(work)
        results: dict[str, dict[str, Task]] = {}
        for label, src in inputs.items():
            tasks = tasks_for(src, epub_css, pdf_css)
            base = work / label.replace(" ", "_")
            # One untimed round first (disk cache, .pyc files), then interleaved timed rounds.
            for rnd in range(-1, runs):
                for task in tasks.values():
                    step = "warm-up" if rnd < 0 else f"run {rnd + 1}/{runs}"
                    print(f"\r{label}: {step} {task.name:<20}", end="", flush=True, file=sys.stderr)
                    task.run(base / f"{task.name.replace(' ', '_')}-{rnd + 1}")
                    if rnd < 0:  # the warm-up round does not count
                        task.times.clear()
                        task.peaks.clear()
            results[label] = tasks
        print(file=sys.stderr)

    block = table(results, runs) + "\n\n" + machine_line()
    print(block)
    if args.write_readme:
        write_readme(block)


if __name__ == "__main__":
    main()

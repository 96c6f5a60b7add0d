#!/usr/bin/env python3
"""Where one build's time and memory go, stage by stage, in one process.

    python benchmarks/stages.py review|50x|3mb|png|FILE.md [--format epub,pdf] [--cprofile N]

Runs `longread build` in this process with a timer around each stage function
(read, typeset, render, fonts, paragraph composition, PDF layout and write,
page list, EPUB, images, cover), found by name wherever longread's modules bound it.  Each line gives
the calls, the wall time and the CPU time of this thread spent in the stage
itself (nested stages subtracted: print images are made inside the layout),
the memory in use after it and whether the process reached a new peak in it.
Stages on worker threads (the e-book's images, the cover) overlap the others.
``--cprofile N`` also prints the N functions with the most own time.
``--without-composer`` leaves every paragraph to WeasyPrint's own line breaking
(as if the composer could not read the styles), to show what composing costs
in the layout as well as in the composer itself.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import inputs  # noqa: E402 (the sibling module)

sys.path.insert(0, str(inputs.ROOT / "src"))

#: (module, function, stage): the stage functions, as the pipeline calls them.
STAGES = (
    ("longread.source.read", "read", "read (parse, sanitise)"),
    ("longread.typeset", "typeset", "typeset"),
    ("longread.render.article", "render_article", "render"),
    ("longread.assets.fonts", "missing", "fonts: coverage"),
    ("longread.assets.fonts", "subset_faces", "fonts: subsets"),
    ("longread.writers.pdf", "load_engine", "import WeasyPrint"),
    ("longread.writers.pdf", "lay_out", "PDF layout"),
    ("longread.compose", "compose", "compose paragraphs"),
    ("longread.compose", "Composition.verified", "verify composition"),
    ("longread.writers.pdf", "make_pdf", "PDF write"),
    ("longread.writers.pagelist", "mark_pages", "page list"),
    ("longread.writers.epub", "make_epub", "EPUB write"),
    ("longread.assets.images", "prepare", "images"),
    ("longread.assets.cover", "draw", "cover"),
    ("longread.files", "replace_together", "write files"),
    ("longread.assets", "Pending.__getitem__", "waiting for images, cover"),
)
MB = 2**20


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Recorder:
    def __init__(self) -> None:
        self.rows: dict[str, dict] = defaultdict(lambda: {"calls": 0, "wall": 0.0, "cpu": 0.0, "rss": 0, "peak": 0})
        self.local = threading.local()
        self.lock = threading.Lock()

    def wrap(self, stage: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            stack = self.local.__dict__.setdefault("stack", [])
            frame = {"nested_wall": 0.0, "nested_cpu": 0.0}
            stack.append(frame)
            before_peak = peak()
            w0, c0 = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                wall, cpu = time.perf_counter() - w0, time.thread_time() - c0
                stack.pop()
                if stack:  # the caller's stage does not count this one's time
                    stack[-1]["nested_wall"] += wall
                    stack[-1]["nested_cpu"] += cpu
                worker = threading.current_thread() is not threading.main_thread()
                with self.lock:
                    row = self.rows[f"{stage} (worker thread)" if worker else stage]
                    row["calls"] += 1
                    row["wall"] += wall - frame["nested_wall"]
                    row["cpu"] += cpu - frame["nested_cpu"]
                    row["rss"] = rss()
                    if peak() > before_peak:
                        row["peak"] = max(row["peak"], peak())
                    row["worker"] = worker

        return timed

    def install(self) -> None:
        """Replace each stage function everywhere longread's modules bound it."""
        for module, name, stage in STAGES:
            try:
                owner = importlib.import_module(module)
                *classes, name = name.split(".")
                for cls in classes:  # a method: Class.method
                    owner = getattr(owner, cls)
                original = getattr(owner, name)
            except (ImportError, AttributeError):
                print(f"(no {module}.{name}: stage '{stage}' not timed)", file=sys.stderr)
                continue
            timed = self.wrap(stage, original)
            if classes:
                setattr(owner, name, timed)
                continue
            for mod in list(sys.modules.values()):
                if getattr(mod, "__name__", "").startswith("longread"):
                    for attr, value in list(vars(mod).items()):
                        if value is original:
                            setattr(mod, attr, timed)

    def report(self, imports: float, total_wall: float, total_cpu: float) -> str:
        lines = [
            f"{'import longread':<32}{'':>6}{imports:>9.2f}",
            f"{'stage':<32}{'calls':>6}{'wall s':>9}{'CPU s':>8}{'RSS after':>11}{'new peak':>10}",
        ]
        for stage, row in sorted(self.rows.items(), key=lambda kv: -kv[1]["wall"]):
            new_peak = f"{row['peak'] / MB:.0f} MB" if row["peak"] else ""
            lines.append(
                f"{stage:<32}{row['calls']:>6}{row['wall']:>9.2f}{row['cpu']:>8.2f}"
                f"{row['rss'] / MB:>8.0f} MB{new_peak:>10}"
            )
        main = sum(r["wall"] for r in self.rows.values() if not r["worker"])
        lines.append(f"{'other work on the main thread':<32}{'':>6}{total_wall - imports - main:>9.2f}")
        lines.append(f"{'whole build':<32}{'':>6}{total_wall:>9.2f}{total_cpu:>8.2f}{'':>11}{peak() / MB:>7.0f} MB")
        return "\n".join(lines)


def without_composer() -> None:
    """The composer's own way out: it cannot read the styles, so it leaves every
    paragraph to WeasyPrint (compose/__init__.py, ``compose``)."""
    import longread.compose

    def unreadable(*args, **kwargs):
        raise RuntimeError("benchmarks/stages.py --without-composer")

    longread.compose.Styles = unreadable


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="review, 50x, 3mb, png, or a manuscript file")
    ap.add_argument("--format", default="epub,pdf")
    ap.add_argument("--cprofile", type=int, default=0, metavar="N", help="also print the N costliest functions")
    ap.add_argument("--without-composer", action="store_true", help="leave the lines to WeasyPrint")
    args = ap.parse_args()

    t0, c0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory(prefix="longread-stages-") as tmp:
        work = Path(tmp)
        if args.input in inputs.KINDS:
            source = inputs.prepare(work, {args.input})[args.input]
        else:
            source = Path(args.input)
        # Everything above (making the input) is not the build's: start the clocks here.
        t0, c0 = time.perf_counter(), time.process_time()
        from longread import cli

        if args.without_composer:
            without_composer()
        recorder = Recorder()
        recorder.install()  # imports the pipeline's modules too (not WeasyPrint: that is a stage)
        imports = time.perf_counter() - t0
        argv = ["build", str(source), "-o", str(work / "out"), "--format", args.format]
        profiler = None
        if args.cprofile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        code = cli.main(argv)
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(recorder.report(imports, wall, cpu))
    if profiler:
        import pstats

        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.cprofile)
    sys.exit(code)


if __name__ == "__main__":
    main()

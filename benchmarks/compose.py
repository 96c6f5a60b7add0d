#!/usr/bin/env python3
"""What paragraph composition costs: its share of a cold `longread build`.

Run from the repository root with the project's virtualenv:

    python benchmarks/compose.py [--runs N]

Inputs: the bundled review, and a 50x article made from it (the body repeated 50
times, each copy under a "## Part N" subhead).  Each build is a fresh process into
an empty folder (a cold build: nothing cached); --verbose makes longread report
the seconds it spent composing and verifying, which are set against the build's
wall time.  The figures are medians; on a busy machine they vary a lot.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANUSCRIPT = ROOT / "manuscript" / "last-take-review.md"


def fifty_times(folder: Path) -> Path:
    text = MANUSCRIPT.read_text(encoding="utf-8")
    front, body = re.match(r"(---\n.*?\n---\n)(.*)", text, re.S).groups()
    parts = [f"## Part {i}\n\n{body.strip()}\n" for i in range(1, 51)]
    target = folder / "review-50x.md"
    target.write_text(front + "\n" + "\n".join(parts), encoding="utf-8")
    shutil.copytree(MANUSCRIPT.parent / "images", folder / "images")  # longread refuses links out
    return target


def cold_build(manuscript: Path, formats: str) -> tuple[float, float]:
    """(wall seconds, composition seconds) of one cold build."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "longread", "build", str(manuscript), "--format", formats, "-o", out, "--verbose"],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"{manuscript}: {done.stderr.strip()}")
        wall = time.perf_counter() - start
    found = re.search(r"composition ([\d.]+) s", done.stderr)
    return wall, float(found.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        jobs = [("review, EPUB+PDF", MANUSCRIPT, "epub,pdf"), ("50x review, PDF", fifty_times(Path(folder)), "pdf")]
        for name, manuscript, formats in jobs:
            runs = [cold_build(manuscript, formats) for _ in range(args.runs)]
            wall = statistics.median(w for w, _ in runs)
            spent = statistics.median(c for _, c in runs)
            print(f"{name}: build {wall:.2f} s, composition {spent:.2f} s ({100 * spent / wall:.1f}%)")


if __name__ == "__main__":
    main()

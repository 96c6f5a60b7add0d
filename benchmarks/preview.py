"""How long `longread preview` takes to show a save: from writing the manuscript to
the refreshed page in a real headless browser.

    python benchmarks/preview.py                  # 15 edits of the bundled review
    python benchmarks/preview.py --runs 30 --json preview.json
    python benchmarks/preview.py --atomic         # save as editors that rename do

It copies the manuscript (and its images) to a temporary folder, starts
`longread preview COPY --no-browser` as a user would, opens the page in Chromium
(Playwright, with the machine's /usr/bin/chromium), and then, for each run,
changes one word of the first paragraph and saves.  Two times are taken from the
moment before the file is written:

- e-book: until the new word is in the text of the phone-width e-book frame;
- page: until the print pages of that build have loaded and been swapped in
  (the whole page is then up to date).

It also prints the builder's own time for each stage and the processor time its
thread used (what the stage would take on an idle machine).

The load average of the machine is printed with the figures: on a shared machine
they move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: The word each run replaces (in the review's first paragraph).
WORD = "procedural"


def start_preview(manuscript: Path, env: dict) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "longread", "preview", str(manuscript), "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
    if not m:
        proc.kill()
        raise SystemExit(f"longread preview did not start: {line!r}")
    return proc, m[1]


def save(path: Path, text: str, atomic: bool) -> None:
    if atomic:
        tmp = path.with_name(f".{path.name}.swp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    else:
        path.write_text(text, encoding="utf-8")


def measure(page, manuscript: Path, original: str, runs: int, atomic: bool, pause: float) -> list[dict]:
    results = []
    for i in range(runs):
        token = f"Benchmarked{i:03d}"
        text = original.replace(WORD, token, 1)
        time.sleep(pause)
        start = time.perf_counter()
        save(manuscript, text, atomic)
        page.wait_for_function(
            "t => document.getElementById('phone').contentDocument.body.textContent.includes(t)", arg=token
        )
        ebook = time.perf_counter() - start
        generation = int(page.evaluate("document.body.dataset.ebookGeneration"))
        page.wait_for_function("g => Number(document.body.dataset.printGeneration) >= g", arg=generation)
        whole = time.perf_counter() - start
        state = page.evaluate("fetch('/state').then(r => r.json())")
        results.append(
            {
                "ebook": ebook,
                "page": whole,
                "ebook_build": state["ebook"]["seconds"],
                "print_build": state["print"]["seconds"],
                "ebook_cpu": state["ebook"]["cpu_seconds"],
                "print_cpu": state["print"]["cpu_seconds"],
            }
        )
    return results


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "p90": ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))],
        "max": ordered[-1],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manuscript", type=Path, default=ROOT / "manuscript" / "last-take-review.md")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--pause", type=float, default=0.5, help="seconds between saves (default 0.5)")
    ap.add_argument("--atomic", action="store_true", help="save by writing a temporary file and renaming it")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--json", type=Path, help="also write the runs and the summary here")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "manuscript"
        shutil.copytree(args.manuscript.parent, folder)
        manuscript = folder / args.manuscript.name
        original = manuscript.read_text(encoding="utf-8")
        if WORD not in original:
            raise SystemExit(f"{args.manuscript} has no {WORD!r} to change")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        proc, url = start_preview(manuscript, env)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                # The page's content policy forbids eval; Playwright's waits evaluate strings.
                page = browser.new_page(viewport={"width": 1600, "height": 1000}, bypass_csp=True)
                page.goto(url)
                page.wait_for_function("Number(document.body.dataset.printGeneration) >= 1", timeout=60_000)
                load_before = os.getloadavg()
                runs = measure(page, manuscript, original, args.runs, args.atomic, args.pause)
                load_after = os.getloadavg()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    report = {
        "runs": len(runs),
        "save": "atomic rename" if args.atomic else "in place",
        "load_average_before": load_before,
        "load_average_after": load_after,
        "cpus": os.cpu_count(),
        "ebook": summary([r["ebook"] for r in runs]),
        "page": summary([r["page"] for r in runs]),
        "ebook_build": summary([r["ebook_build"] for r in runs]),
        "print_build": summary([r["print_build"] for r in runs]),
        "ebook_cpu": summary([r["ebook_cpu"] for r in runs]),
        "print_cpu": summary([r["print_cpu"] for r in runs]),
    }
    print(f"{len(runs)} saves of {args.manuscript.name} ({report['save']}), {os.cpu_count()} CPUs")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"{'from save to':<34} {'median':>8} {'min':>8} {'p90':>8} {'max':>8}")
    for key, label in (
        ("ebook", "e-book view in the browser"),
        ("page", "whole page (with print pages)"),
        ("ebook_build", "  builder: e-book stage"),
        ("print_build", "  builder: print stage"),
        ("ebook_cpu", "  processor time: e-book stage"),
        ("print_cpu", "  processor time: print stage"),
    ):
        s = report[key]
        print(f"{label:<34} {s['median']:>7.3f}s {s['min']:>7.3f}s {s['p90']:>7.3f}s {s['max']:>7.3f}s")
    if args.json:
        args.json.write_text(json.dumps({"summary": report, "runs": runs}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

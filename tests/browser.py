"""A real headless Chromium for the tests, driven by Playwright for Python.

Playwright's own browser downloads are never used: the machine's Chromium
(Debian's ``chromium`` package, which ``.ci/run`` installs) is launched by path.
Without it the browser tests are skipped with the reason, except on CI, where
they must run.
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def executable() -> str | None:
    found = os.environ.get("LONGREAD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and os.access(found, os.X_OK) else None


def unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests; .ci/run installs Chromium)")
    pytest.skip(reason)


@contextlib.contextmanager
def chromium():
    """A launched Chromium browser (Playwright's ``Browser``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install '.[test]')")
    path = executable()
    if path is None:
        unavailable("no Chromium on this machine (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()

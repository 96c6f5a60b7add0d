"""Where builds run: in this process, on this machine's cores, or on a Dask cluster.

Each executor takes the sources and a function that builds one, and yields each
outcome as soon as it is known, so a failure is reported while the others run.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from ..model import Outcome, Plan


class ExecutorError(Exception):
    """The machinery that runs builds failed (not a manuscript)."""


Job = Callable[[str, Path, Plan], Outcome]


def run_here(job: Job, kind: str, sources: list[Path], plan: Plan) -> Iterator[Outcome]:
    for source in sources:
        yield job(kind, source, plan)


def _ignore_interrupts() -> None:  # pragma: no cover (runs in the worker)
    # Ctrl-C reaches every process of the terminal's group: the parent alone
    # handles it, so workers do not each print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_on_cores(job: Job, kind: str, sources: list[Path], plan: Plan, workers: int) -> Iterator[Outcome]:
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts)
    try:
        futures = [pool.submit(job, kind, s, plan) for s in sources]
        for future in as_completed(futures):
            yield future.result()
    except BrokenProcessPool:
        raise ExecutorError("a build process died (out of memory?)") from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def check_scheduler(address: str) -> str:
    """A Dask scheduler address as ``tcp://host:port`` (or ``tls://``); anything else
    is refused before any connection is tried."""
    text = address.strip()
    if "://" not in text:
        text = "tcp://" + text
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in {"tcp", "tls"} or not parts.hostname or port is None or not 0 < port < 65536:
        raise ExecutorError(f"{address!r} is not a Dask scheduler address (use tcp://HOST:PORT)")
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc):
        raise ExecutorError(f"{address!r} is not a Dask scheduler address (use tcp://HOST:PORT)")
    return text


def connect(address: str, timeout: float):
    """A Dask client, or an :class:`ExecutorError` after ``timeout`` seconds: a
    server that accepts the connection but never speaks Dask's protocol would
    otherwise keep the client waiting for ever."""
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("the Dask executor needs the distributed package (pip install 'longread[dask]')") from None
    result: dict = {}

    def attempt() -> None:
        try:
            result["client"] = Client(address, timeout=timeout)
        except BaseException as e:  # reported below, in the caller's thread
            result["error"] = e

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if "client" in result:
        return result["client"]
    reason = result.get("error") or f"no answer in {timeout:.0f} s"
    raise ExecutorError(f"cannot reach the Dask scheduler at {address} ({' '.join(str(reason).split())[:200]})")


def run_on_dask(
    job: Job, kind: str, sources: list[Path], plan: Plan, scheduler: str, timeout: float = 20
) -> Iterator[Outcome]:
    from distributed import as_completed

    address = check_scheduler(scheduler)
    # Workers run elsewhere (their own working folder, maybe another machine that
    # mounts the same file system): they get absolute paths.
    remote = replace(
        plan, output_dir=plan.output_dir.resolve(), cache_dir=plan.cache_dir.resolve() if plan.cache_dir else None
    )
    client = connect(address, timeout)
    try:
        futures = {client.submit(job, kind, s.resolve(), remote, pure=False): s for s in sources}
        for future in as_completed(futures):
            try:
                outcome = future.result()
            except Exception as e:  # a worker lost, or one without longread
                outcome = Outcome(futures[future], error=f"{futures[future]}: the Dask worker failed ({e})")
            outcome.manuscript = futures[future]
            yield outcome
    except OSError as e:
        raise ExecutorError(f"lost the Dask scheduler at {address} ({e})") from None
    finally:
        client.close()

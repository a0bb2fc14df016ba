"""Whole-library validation spread over worker processes (SPEC §8 throughput).

The per-symbol rules are pure Python and CPU-bound, so threads do not help; large
libraries are cut into chunks of file paths checked in worker processes, and results
come back as plain tuples merged in chunk order, so the report is the same as the
in-process pass, finding for finding.

Workers are started through a forkserver where there is one: the GUI validates from a
worker thread of a Qt process, and forking a multi-threaded process directly can
deadlock the child on a lock another thread held.  Anything that stops the pool from
working (no forkserver, a frozen bundle, a worker that died) makes the caller fall back
to the in-process pass; it never loses or changes findings.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Iterator

from ..findings import Finding
from .context import ValidationContext
from .formats import detect_format
from .model import Symbol, read_json_object
from .rules import content_key, drawing_key, validate_symbol

# Below this many files the pool's start-up costs more than it saves.
PARALLEL_MIN_FILES = 1000
CHUNK_FILES = 250          # also the progress / cancel granularity

FileItem = tuple[str, str, str]          # (system folder, absolute path, workspace-relative path)
# (format | None when unreadable, findings as tuples, id, drawing digest | None, content key, waivers)
FileResult = tuple[str | None, list[tuple], str, bytes | None, str, Any]

_FIELDS = ("rule", "severity", "message", "hint", "file", "location", "symbol_id", "waived", "waiver_reason",
           "data")
_worker_ctx: ValidationContext | None = None


class PoolUnavailable(RuntimeError):
    """Worker processes could not be used; validate in-process instead."""


def worker_count(total_files: int, requested: int | None) -> int:
    """How many processes to use: 1 means in-process."""
    if requested is not None:
        return max(1, requested)
    if total_files < PARALLEL_MIN_FILES or getattr(sys, "frozen", False):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8, total_files // CHUNK_FILES))


def pack(f: Finding) -> tuple:
    return tuple(getattr(f, name) for name in _FIELDS)


def unpack(t: tuple) -> Finding:
    return Finding(*t)


def _init_worker(ctx: ValidationContext) -> None:
    global _worker_ctx
    _worker_ctx = ctx


def check_chunk(items: list[FileItem]) -> tuple[list[FileResult], float]:
    """Worker side: every per-symbol rule for each file, plus the facts the cross-symbol
    duplicate rules need, as picklable tuples; and the CPU seconds it took (a forkserver's
    workers are not our children, so their CPU time is not otherwise visible)."""
    started = time.process_time()
    ctx = _worker_ctx or ValidationContext()
    out: list[FileResult] = []
    for folder, path, rel in items:
        data, problems = read_json_object(path, rel)
        if data is None:
            out.append((None, [pack(f) for f in problems], "", None, "", None))
            continue
        fmt = detect_format(data)
        sym = Symbol.from_dict(data)
        findings = validate_symbol(sym, ctx, file=rel, folder_system=folder, check_duplicates=False)
        sid = sym.id if isinstance(sym.id, str) else ""
        drawing = drawing_key(sym.svg)
        digest = hashlib.sha1(drawing.encode("utf-8", "surrogatepass")).digest() if drawing else None
        out.append((fmt, [pack(f) for f in findings], sid, digest, content_key(sym) if drawing else "",
                    sym.waivers or None))
    return out, time.process_time() - started


def _mp_context():
    if sys.platform.startswith("linux") or sys.platform == "darwin":
        try:
            mpc = multiprocessing.get_context("forkserver")
            # workers fork from a server that already imported the rules: cheap start-up
            mpc.set_forkserver_preload([__name__])
            return mpc
        except ValueError:  # pragma: no cover - forkserver unavailable
            pass
    return multiprocessing.get_context("spawn")


def run_chunks(files: list[FileItem], ctx: ValidationContext, workers: int, cancel=None) -> Iterator[tuple[list[FileResult], float]]:
    """Yield each chunk's (results, worker CPU seconds) in file order.  ``cancel.check()`` runs between chunks;
    raising out of the generator stops the pool and drops the chunks not yet checked.
    Raises PoolUnavailable when the pool cannot start or a worker dies; the caller then
    starts over in-process (results already yielded are discarded)."""
    chunks = [files[i:i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=_init_worker,
                                   initargs=(ctx,))
    except (OSError, ValueError, RuntimeError) as exc:  # pragma: no cover - platform without processes
        raise PoolUnavailable(str(exc)) from exc
    pending: list[Future] = []
    next_chunk = 0
    try:
        # a bounded window of chunks in flight: cancel stops the work within a chunk or two
        while next_chunk < len(chunks) or pending:
            while next_chunk < len(chunks) and len(pending) < 2 * workers:
                pending.append(pool.submit(check_chunk, chunks[next_chunk]))
                next_chunk += 1
            future = pending.pop(0)
            try:
                result = future.result()
            except Exception as exc:
                # a dead worker, a context that does not pickle, or a bug in a rule: the
                # in-process pass either succeeds or raises the same error with a plain
                # traceback, so nothing is hidden by falling back
                raise PoolUnavailable(f"{type(exc).__name__}: {exc}") from exc
            yield result
            if cancel is not None:
                cancel.check()
    finally:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)

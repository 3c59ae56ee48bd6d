"""Run a function on each item in its own process, under a wall-clock limit.

Decoders can hang while holding the GIL or crash the interpreter; only a separate
process that can be killed keeps one bad file from stopping a batch. Processes fork
from a forkserver that has already imported the worker module, so each start is cheap.
"""
from __future__ import annotations

import multiprocessing as mp
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: str | None = None
    timed_out: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def _child(func: Callable, item: Any, conn) -> None:
    try:
        conn.send(("ok", func(item)))
    except Exception as exc:  # reported to the parent as a per-item failure
        conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=3)))
    finally:
        conn.close()


def _context(preload: tuple[str, ...]):
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    return ctx


def run_one(ctx, func: Callable, item: Any, time_limit: float) -> Outcome:
    started = time.monotonic()
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(func, item, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(time_limit):
            process.kill()
            return Outcome(error=f"exceeded the time limit of {time_limit:g} s and was killed",
                           timed_out=True, seconds=time.monotonic() - started)
        try:
            message = receiver.recv()
        except EOFError:
            process.join(5)
            return Outcome(error=f"worker process died (exit code {process.exitcode})",
                           seconds=time.monotonic() - started)
    finally:
        receiver.close()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
    elapsed = time.monotonic() - started
    if message[0] == "ok":
        return Outcome(value=message[1], seconds=elapsed)
    return Outcome(error=message[1], seconds=elapsed)


def map_isolated(func: Callable, items: Iterable[Any], workers: int, time_limit: float,
                 preload: tuple[str, ...] = ()) -> Iterator[tuple[int, Outcome]]:
    """Yield (index, Outcome) as items finish; `func` must be importable at module level."""
    ctx = _context(preload or (func.__module__,))
    items = list(items)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_one, ctx, func, item, time_limit): i for i, item in enumerate(items)}
        for future in as_completed(futures):
            yield futures[future], future.result()

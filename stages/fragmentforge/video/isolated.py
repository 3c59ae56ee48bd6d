"""Run a function on each item in a worker process, under a per-item wall-clock limit.

Decoders can hang while holding the GIL or crash the interpreter; only a separate process
that can be killed keeps one bad file from stopping a batch. Workers are long-lived (one
start per worker, not per item, which on short clips cost more than the work), forked from a
forkserver that has already imported the worker module. A worker that hangs past the limit
is killed, one that crashes is reaped, and either is replaced before its next item.
"""
from __future__ import annotations

import multiprocessing as mp
import queue
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


def _serve(func: Callable, conn) -> None:
    """The worker's loop: one item in, one message out, until the parent closes the pipe."""
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        try:
            message = ("ok", func(item))
        except Exception as exc:  # reported to the parent as a per-item failure
            message = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=3))
        conn.send(message)


def _context(preload: tuple[str, ...]):
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))
    return ctx


class Worker:
    """One worker process; `run` restarts it first if the previous item killed it."""

    def __init__(self, ctx, func: Callable):
        self.ctx, self.func = ctx, func
        self.process = self.conn = None

    def start(self) -> None:
        self.conn, child = self.ctx.Pipe(duplex=True)
        self.process = self.ctx.Process(target=_serve, args=(self.func, child), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.conn.close()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process = self.conn = None

    def run(self, item: Any, time_limit: float) -> Outcome:
        if self.process is None or not self.process.is_alive():
            self.stop()
            self.start()
        started = time.monotonic()
        try:
            self.conn.send(item)
            ready = self.conn.poll(time_limit)
        except (BrokenPipeError, EOFError, OSError):
            ready = True  # the worker died on the item: recv below reports it
        if not ready:
            self.process.kill()
            self.stop()
            return Outcome(error=f"exceeded the time limit of {time_limit:g} s and was killed",
                           timed_out=True, seconds=time.monotonic() - started)
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(5)
            code = self.process.exitcode
            self.stop()
            return Outcome(error=f"worker process died (exit code {code})", seconds=time.monotonic() - started)
        elapsed = time.monotonic() - started
        if message[0] == "ok":
            return Outcome(value=message[1], seconds=elapsed)
        return Outcome(error=message[1], seconds=elapsed)


def map_isolated(func: Callable, items: Iterable[Any], workers: int, time_limit: float,
                 preload: tuple[str, ...] = ()) -> Iterator[tuple[int, Outcome]]:
    """Yield (index, Outcome) as items finish; `func` must be importable at module level."""
    ctx = _context(preload or (func.__module__,))
    items = list(items)
    idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
    pool_workers = [Worker(ctx, func) for _ in range(max(1, min(workers, len(items))))]
    for worker in pool_workers:
        idle.put(worker)

    def one(item):
        worker = idle.get()
        try:
            return worker.run(item, time_limit)
        finally:
            idle.put(worker)

    try:
        with ThreadPoolExecutor(max_workers=len(pool_workers)) as pool:
            futures = {pool.submit(one, item): i for i, item in enumerate(items)}
            for future in as_completed(futures):
                yield futures[future], future.result()
    finally:
        for worker in pool_workers:
            worker.stop()

"""Work side by side on the CPU (trainings, evaluations): each lane a spawned process, as
Dagster's steps are. Threads of one process raced on transformers' lazy imports ("cannot import
name 'AutoTokenizer'"), and torch's thread count is set per process."""
from __future__ import annotations

from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context


def set_torch_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


def lane_pool(lanes: int, torch_threads: int | None = None) -> Executor:
    """`lanes` processes, each on `torch_threads` torch threads (None: torch's default); one lane
    runs in this process, on its threads as they are."""
    if lanes == 1:
        return ThreadPoolExecutor(1)
    return ProcessPoolExecutor(lanes, mp_context=get_context("spawn"),
                               initializer=set_torch_threads if torch_threads else None,
                               initargs=(torch_threads,) if torch_threads else ())

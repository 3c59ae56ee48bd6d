"""Worker functions for the isolation tests: importable, so the forkserver can load them."""
import os
import signal
import time


def square(x):
    return x * x


def raise_value_error(x):
    raise ValueError(f"bad item {x}")


def hang(seconds):
    time.sleep(seconds)
    return "woke up"


def segfault(_):
    os.kill(os.getpid(), signal.SIGSEGV)


def crash_or_hang_or_square(item):
    if item == "crash":
        segfault(item)
    if item == "hang":
        hang(60)
    return item * item


def pid(_):
    return os.getpid()

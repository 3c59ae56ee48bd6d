"""Small file helpers shared by the library: atomic writes, hashing, locks, project-relative paths."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

HASH_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def exclusive(lock_path: Path):
    """Held by one writer at a time, across processes and threads (each call opens its own
    descriptor, so flock serialises threads of one process too)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_json_atomic(path: Path, payload) -> None:
    # A temporary name of its own: trainings side by side write the same files (the registry's hash cache).
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, path)


def replace_dir(staging: Path, final: Path) -> None:
    """Swap a fully written staging folder into place, so readers never see half an output."""
    old = final.with_name(final.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    staging.rename(final)
    if old.exists():
        shutil.rmtree(old)


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def project_relative(path: Path, root: Path) -> str:
    """`path` relative to the project root when under it, so outputs do not depend on
    where the project is checked out."""
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()


"""Replies cached by the content hash of their request, one JSON file each, written atomically.

Only replies the server gave (well-formed or not) are kept: a timeout or a 5xx is tried again
on the next run. The folder is a stage output, so it travels with the lineage.
"""
from __future__ import annotations

import json
import os
from pathlib import Path


class ReplyCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None  # a torn or foreign file: ask again

    def put(self, key: str, entry: dict) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(entry, sort_keys=True))
        os.replace(tmp, path)

    def keys(self) -> set[str]:
        return {p.stem for p in self.folder.glob("*/*.json")} if self.folder.is_dir() else set()

"""Append base models to models.base_models in params.yaml, keeping the file's comments and
layout (the registry sensor does this so `dvc repro`'s foreach sees the same models)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from fragmentforge.config.loader import load_params

FLOW_LIST = re.compile(r"^(?P<indent>\s+)base_models:\s*\[(?P<items>[^\]]*)\](?P<rest>.*)$")
BLOCK_KEY = re.compile(r"^\s+base_models:\s*(#.*)?$")
BLOCK_ITEM = re.compile(r"^(?P<dash>\s*)- ")


def append_base_models(params_path: Path, names: list[str]) -> list[str]:
    """Add the names not yet listed, in order; returns the names added. models.base_models may
    be a one-line [..] list or a block of "- name" lines."""
    params_path = Path(params_path)
    current = list(load_params(params_path).models.base_models)
    added = [n for n in dict.fromkeys(names) if n not in current]
    if not added:
        return []
    lines = rewrite(params_path.read_text().splitlines(keepends=True), current + added)
    if lines is None:
        raise ValueError(f"{params_path}: models.base_models not found as a list; add {added} by hand")
    fd, tmp = tempfile.mkstemp(dir=params_path.parent, prefix=".params-", suffix=".yaml")
    with os.fdopen(fd, "w") as handle:
        handle.writelines(lines)
    if list(load_params(tmp).models.base_models) != current + added:
        os.unlink(tmp)
        raise ValueError(f"{params_path}: rewriting models.base_models did not give {current + added}")
    os.replace(tmp, params_path)
    return added


def rewrite(lines: list[str], names: list[str]) -> list[str] | None:
    in_models = False
    for i, line in enumerate(lines):
        if re.match(r"^\S", line):
            in_models = line.startswith("models:")
        if not in_models:
            continue
        flow = FLOW_LIST.match(line.rstrip("\n"))
        if flow:
            items = ", ".join(scalar(n) for n in names)
            return lines[:i] + [f"{flow['indent']}base_models: [{items}]{flow['rest']}\n"] + lines[i + 1:]
        block = BLOCK_KEY.match(line.rstrip("\n"))
        if block:
            end = i + 1
            while end < len(lines) and BLOCK_ITEM.match(lines[end]):
                end += 1
            if end == i + 1:
                return None
            dash = BLOCK_ITEM.match(lines[i + 1])["dash"]
            return lines[:end] + [f"{dash}- {scalar(n)}\n" for n in names[end - i - 1:]] + lines[end:]
    return None


def scalar(name: str) -> str:
    return yaml.safe_dump([name], default_flow_style=True).strip()[1:-1]

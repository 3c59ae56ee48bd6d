"""Append base models to models.base_models in params.yaml, keeping the file's comments and
layout (the registry sensor does this so `dvc repro`'s foreach sees the same models)."""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from stages.config.loader import load_params

FLOW_LIST = re.compile(r"^(?P<indent>\s+)base_models:\s*\[(?P<items>[^\]]*)\](?P<rest>.*)$")


def append_base_models(params_path: Path, names: list[str]) -> list[str]:
    """Add the names not yet listed, in order; returns the names added. The file must keep
    models.base_models as a one-line flow list, as params.yaml has it."""
    params_path = Path(params_path)
    current = list(load_params(params_path).models.base_models)
    added = [n for n in dict.fromkeys(names) if n not in current]
    if not added:
        return []
    lines = params_path.read_text().splitlines(keepends=True)
    in_models = False
    for i, line in enumerate(lines):
        if re.match(r"^\S", line):
            in_models = line.startswith("models:")
        match = FLOW_LIST.match(line.rstrip("\n")) if in_models else None
        if match:
            items = ", ".join(yaml.safe_dump([n], default_flow_style=True).strip()[1:-1] for n in current + added)
            lines[i] = f"{match['indent']}base_models: [{items}]{match['rest']}\n"
            break
    else:
        raise ValueError(f"{params_path}: models.base_models is not a one-line [..] list; add {added} by hand")
    fd, tmp = tempfile.mkstemp(dir=params_path.parent, prefix=".params-", suffix=".yaml")
    with os.fdopen(fd, "w") as handle:
        handle.writelines(lines)
    if list(load_params(tmp).models.base_models) != current + added:
        os.unlink(tmp)
        raise ValueError(f"{params_path}: rewriting models.base_models did not give {current + added}")
    os.replace(tmp, params_path)
    return added

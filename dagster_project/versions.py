"""Code versions for the assets, from the same code and params DVC tracks for each stage.

An asset's version hashes the files its dvc.yaml stage lists as code deps (stages/..., sql/...),
the params sections that stage lists, and the asset's own module. Dagster then marks an asset
stale exactly when DVC would re-run its stage (changed code or params, or changed upstream
data), and a rerun with nothing changed has nothing to do.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, is_dataclass
from pathlib import Path

import yaml

from stages.config import Params

CODE_PREFIXES = ("stages/", "sql/")


def stage_spec(dvc_yaml: dict, stage: str) -> dict:
    spec = dvc_yaml["stages"][stage]
    return spec.get("do", spec)


def params_value(params: Params, dotted: str):
    value = params
    for part in dotted.split("."):
        value = getattr(value, part)
    return asdict(value) if is_dataclass(value) else value


def tree_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def code_version(root: Path, params: Params, stage: str, extra: tuple[str, ...] = ()) -> str:
    spec = stage_spec(yaml.safe_load((root / "dvc.yaml").read_text()), stage)
    digest = hashlib.sha256()
    code = [d for d in spec.get("deps", []) if isinstance(d, str) and d.startswith(CODE_PREFIXES)] + list(extra)
    for dep in sorted(code):
        for path in tree_files(root / dep):
            digest.update(f"{path.relative_to(root).as_posix()}\0".encode() + path.read_bytes() + b"\0")
    for name in spec.get("params", []):
        digest.update(f"{name}={json.dumps(params_value(params, name), sort_keys=True, default=str)}\0".encode())
    return digest.hexdigest()[:16]

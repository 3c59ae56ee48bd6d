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
from functools import lru_cache
from pathlib import Path

import yaml

from fragmentforge.config import Params
from fragmentforge.lineage import files_digest, is_code, stage_specs


def plain(value):
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


def params_value(params: Params, dotted: str):
    value = params
    for part in dotted.split("."):
        value = getattr(value, part)
    return plain(value)


def reviewed_inputs(root: Path, params: Params, stage: str) -> str:
    """What people decide outside any stage that a node reads: MA-Bench's review decisions, for
    proxy_tasks (DVC tracks the database file itself)."""
    if stage != "proxy_tasks":
        return ""
    from fragmentforge.microactions.review import decisions

    return json.dumps(sorted(decisions(Path(root) / params.paths.review_db).items()))


@lru_cache(maxsize=4)
def dvc_stages(dvc_file: Path, mtime_ns: int) -> dict:
    """dvc.yaml's stages, parsed once per process and file version: every step process of a
    Dagster run loads the code location, which versions every asset."""
    return dict(stage_specs(yaml.load(dvc_file.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))))


def code_version(root: Path, params: Params, stage: str, extra: tuple[str, ...] = ()) -> str:
    dvc_file = Path(root) / "dvc.yaml"
    spec = dvc_stages(dvc_file, dvc_file.stat().st_mtime_ns)[stage]
    code = [d for d in spec.get("deps", []) if is_code(d)] + list(extra)
    digest = hashlib.sha256(files_digest(root, code).encode())
    for name in spec.get("params", []):
        digest.update(f"{name}={json.dumps(params_value(params, name), sort_keys=True, default=str)}\0".encode())
    digest.update(reviewed_inputs(root, params, stage).encode())
    return digest.hexdigest()[:16]

"""Small helpers shared by stage modules: CLI parsing, atomic writes, hashing."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
from pathlib import Path

from stages.config import ConfigError, Params, load_params

HASH_CHUNK = 1 << 20


def parse_stage_args(description: str, argv=None) -> tuple[Params, Path]:
    """Every stage CLI takes the params file and the project root."""
    params, root, _ = _parse(description, argv)
    return params, root


def parse_base_stage_args(description: str, argv=None, variants: bool = False):
    """A per-base-model stage CLI: also --base (repeatable; default every models.base_models)
    and, when asked, --variant (default all, in params order).
    Returns (params, root, bases, variants or None)."""
    def more(parser):
        parser.add_argument("--base", action="append", help="base model name (default: every models.base_models)")
        if variants:
            parser.add_argument("--variant", action="append", help="variant name (default: all, in params order)")

    params, root, args = _parse(description, argv, more)
    chosen = [v.name for v in params.training.variants if not args.variant or v.name in args.variant] \
        if variants else None
    return params, root, list(args.base or params.models.base_models), chosen


def _parse(description: str, argv, add_more=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    parser.add_argument("--root", default=".", help="project root that paths in params are relative to")
    if add_more:
        add_more(parser)
    args = parser.parse_args(argv)
    try:
        return load_params(args.params), Path(args.root), args
    except ConfigError as exc:
        raise SystemExit(f"bad params: {exc}") from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_json_atomic(path: Path, payload) -> None:
    tmp = path.with_name(path.name + ".part")
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

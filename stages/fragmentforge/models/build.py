"""Node `base_models`: build the embedded tiny Qwen2-VL into the model registry (once), then scan the registry.

The build draws random weights, then pretrains them on single-frame grounding data
(fragmentforge/models/pretrain.py) unless `models.tiny.pretrain.enabled` is false.
Output: <models.registry>/<models.tiny.name>/ (a Hugging Face folder). A folder whose build
record matches params is left alone, so reruns cost a registry scan only.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from fragmentforge.cli import parse_stage_args
from fragmentforge.common import replace_dir
from fragmentforge.config import Params
from fragmentforge.models.registry import ModelEntry, Registry, RegistryProblem
from fragmentforge.models.pretrain import pretrain
from fragmentforge.models.twins import BUILD_RECORD, build_record, build_twin

HASH_CACHE = "registry_hashes.json"


def open_registry(params: Params, root: Path) -> Registry:
    location = params.models.registry
    if not location.startswith("s3://"):
        location = str(root / location)
    return Registry(location, params.models.endpoint_url, hash_cache=root / params.paths.model_cache_dir / HASH_CACHE,
                    remote_code_allowed=params.models.trust_remote_code)


def build_base_model(params: Params, root: Path) -> bool:
    """Build the tiny model unless the registry already holds it from the same spec. True if built."""
    spec = params.models.tiny
    registry = open_registry(params, root)
    wanted = build_record(spec)
    try:
        if json.loads(registry.read_bytes(spec.name, BUILD_RECORD)) == wanted:
            return False
    except (FileNotFoundError, ValueError):
        pass
    staging = root / params.paths.model_cache_dir / f".build-{spec.name}"
    work = root / params.paths.model_cache_dir / f".pretrain-{spec.name}"
    for folder in (staging, work):
        if folder.exists():
            shutil.rmtree(folder)
    if spec.pretrain.enabled:
        build_twin(spec, work / "init")
        pretrain(spec, work / "init", work, staging, params.training.time_limit_s)
        (staging / BUILD_RECORD).write_text((work / "init" / BUILD_RECORD).read_text())
        shutil.rmtree(work)
    else:
        build_twin(spec, staging)
    if registry.is_s3:
        registry.upload(staging, spec.name)
        shutil.rmtree(staging)
    else:
        Path(registry.base).mkdir(parents=True, exist_ok=True)
        replace_dir(staging, Path(registry.base) / spec.name)
    return True


def scan_models(params: Params, root: Path) -> tuple[list[ModelEntry], list[RegistryProblem]]:
    return open_registry(params, root).scan()


def main(argv=None) -> None:
    params, root = parse_stage_args("Build the embedded tiny Qwen2-VL into the model registry.", argv)
    built = build_base_model(params, root)
    models, problems = scan_models(params, root)
    print(f"base model {params.models.tiny.name}: {'built' if built else 'up to date'}")
    for m in models:
        remote = f", runs its own code ({', '.join(m.remote_code)})" if m.remote_code else ""
        print(f"  {m.name}: {m.architecture}, {m.parameters:,} parameters, {m.bytes:,} bytes, {m.content_hash[:12]}{remote}")
    for p in problems:
        print(f"  {p.name}: NOT A MODEL: {p.reason}")


if __name__ == "__main__":
    main()

"""Model families, one module each, named by its file (fragmentforge.plugins).

A family module declares MODEL_TYPES (the config.json `model_type`s it serves), TEMPLATE (the
LLaMA-Factory chat template), MEDIA ("images": frames as images) and TRUST_REMOTE_CODE. A model
whose type no family serves is refused with the reason, never trained with a guessed template.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType


# Frames given as a video are timed at this rate, in training (LLaMA-Factory's video_fps, set
# by the recipe) and in the evaluator alike; Qwen3-VL writes the times into the prompt.
VIDEO_FPS = 2.0


class UnsupportedModel(RuntimeError):
    pass


def family_for(model_type: str) -> ModuleType:
    from fragmentforge.plugins import load_all

    for module in load_all(sys.modules[__name__]).values():
        if model_type in module.MODEL_TYPES:
            return module
    raise UnsupportedModel(f"no model family serves model_type {model_type!r} "
                           "(add a module to stages/fragmentforge/models/families)")


def family_name(model_dir: Path) -> str:
    """The family module's name (its file), as the report and the runs table show it."""
    return family_of(model_dir).__name__.rsplit(".", 1)[-1]


def family_of(model_dir: Path) -> ModuleType:
    return family_for(json.loads((Path(model_dir) / "config.json").read_text()).get("model_type", ""))

"""Model families, one module each, named by its file (fragmentforge.plugins).

A family module declares:
- MODEL_TYPES: the config.json `model_type`s it serves;
- TEMPLATE: the LLaMA-Factory chat template;
- MEDIA_FORMS: how it can be shown a clip, as "frames" (one image each) and/or as a "video"
  (the same frames, timed at VIDEO_FPS); VIDEO_FRAME_MULTIPLE: a video's frame count is padded
  to a multiple of it by repeating the last frame, as LLaMA-Factory's plugin does;
- TRUST_REMOTE_CODE: whether the model folder's own code must run;
- optionally ONEDNN_REPRODUCIBLE = False (its CPU runs turn oneDNN off),
  SHARED_VISION_SCORING (option scoring may reuse one question's vision features for
  all its options; checked against the plain path in tests/test_families.py), PIXEL_BOUNDS (per frame, LLaMA-Factory's names; default below), PROCESSOR_KWARGS
  (what the evaluator passes the processor so that it treats media as LLaMA-Factory's plugin
  does) and `tiny`, the builder of its tiny twin (models/twins.py).
A model whose type no family serves is refused with the reason, never trained with a guessed
template.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType


# Frames given as a video are timed at this rate, in training (LLaMA-Factory's video_fps, set
# by the recipe) and in the evaluator alike; Qwen3-VL writes the times into the prompt.
VIDEO_FPS = 2.0
# LLaMA-Factory 0.9.5's defaults: a frame outside the bounds is resized into them, keeping its
# aspect, before the processor sees it (training: recipe; evaluation: evaluate/model_io.py).
PIXEL_BOUNDS = {"image_max_pixels": 768 * 768, "image_min_pixels": 32 * 32,
                "video_max_pixels": 256 * 256, "video_min_pixels": 16 * 16}


class UnsupportedModel(RuntimeError):
    pass


def family_for(model_type: str) -> ModuleType:
    from fragmentforge.plugins import load_all

    for module in load_all(sys.modules[__name__]).values():
        if model_type in module.MODEL_TYPES:
            return module
    raise UnsupportedModel(f"no model family serves model_type {model_type!r} "
                           "(add a module to stages/fragmentforge/models/families)")


def pixel_bounds(family: ModuleType) -> dict[str, int]:
    return {**PIXEL_BOUNDS, **getattr(family, "PIXEL_BOUNDS", {})}


def family_name(model_dir: Path) -> str:
    """The family module's name (its file), as the report and the runs table show it."""
    return family_of(model_dir).__name__.rsplit(".", 1)[-1]


def family_of(model_dir: Path) -> ModuleType:
    return family_for(json.loads((Path(model_dir) / "config.json").read_text()).get("model_type", ""))


def kernels_vary(model_dir: Path) -> bool:
    """Whether the family says its CPU kernels are not bitwise reproducible (ONEDNN_REPRODUCIBLE = False)."""
    return not getattr(family_of(model_dir), "ONEDNN_REPRODUCIBLE", True)


def reproducible_cpu_kernels(model_dir: Path) -> None:
    """Turn off oneDNN (torch's mkldnn backend) on CPU for a model family that says its kernels
    are not bitwise reproducible from one process to the next (models/families,
    ONEDNN_REPRODUCIBLE). Only there: it costs the default Qwen2-VL about 30% of its training time."""
    import torch

    if kernels_vary(model_dir):
        torch.backends.mkldnn.enabled = False


# Intel's conditions for run-to-run identical MKL results: no run-time change of thread count
# (MKL_DYNAMIC) and the strict reproducible code branch (its gemm holds bits even across thread
# counts). MKL reads them when it starts, so they go into a child's environment.
STRICT_MKL = {"MKL_DYNAMIC": "FALSE", "MKL_CBWR": "AUTO,STRICT"}


def reproducible_cpu_env(model_dir: Path) -> dict:
    """What a training child's environment adds where the family's kernels vary: STRICT_MKL."""
    return dict(STRICT_MKL) if kernels_vary(model_dir) else {}

"""One way to find every kind of extension: a module in a plugin package, named by its file.

Listing names reads the package folder and imports nothing; a plugin is imported when it is
used, so a broken one fails then, with its name and what is wrong, and never breaks the
loading of params or of the other plugins.
"""
from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from types import ModuleType

# Plugin packages and what each module in them must define (the README's "Extending" table).
PACKAGES = {
    "fragmentforge.tasks.generators": ("task generator", ("LEVEL", "COLUMN", "DESCRIPTION", "generate")),
    "fragmentforge.tasks.levels": ("benchmark column group", ("AVERAGE", "ORDER", "TITLE", "DATASET")),
    "fragmentforge.sources": ("video source kind", ("Options", "list_candidates")),
    "fragmentforge.descriptions.corruptions": ("clip corruption", ("NAME", "INDUCES", "corrupt")),
    "fragmentforge.keyframes.samplers": ("keyframe sampler", ("pick",)),
    "fragmentforge.models.families": ("model family", ("MODEL_TYPES", "TEMPLATE", "MEDIA_FORMS", "VIDEO_FRAME_MULTIPLE", "TRUST_REMOTE_CODE")),
}


class PluginError(RuntimeError):
    """A plugin that is missing, does not import, or lacks what its kind requires."""


def names(package: ModuleType | str) -> list[str]:
    """The plugins in `package` (a module, or its dotted name: then not even the package itself
    is imported), sorted, without importing any of them."""
    if isinstance(package, str):
        spec = importlib.util.find_spec(package)
        folders = list(spec.submodule_search_locations or []) if spec else []
    else:
        folders = list(package.__path__)
    return sorted(info.name for info in pkgutil.iter_modules(folders) if not info.name.startswith("_"))


def load(package: ModuleType, name: str) -> ModuleType:
    what, required = PACKAGES[package.__name__]
    if name not in names(package):
        raise PluginError(f"no {what} named {name!r} (known: {', '.join(names(package)) or 'none'})")
    try:
        module = importlib.import_module(f"{package.__name__}.{name}")
    except Exception as exc:
        raise PluginError(f"{what} {name!r} ({package.__name__}.{name}) failed to import: "
                          f"{type(exc).__name__}: {exc}") from exc
    missing = [attr for attr in required if not hasattr(module, attr)]
    if missing:
        raise PluginError(f"{what} {name!r} ({module.__file__}) lacks {', '.join(missing)}")
    return module


def load_all(package: ModuleType) -> dict[str, ModuleType]:
    return {name: load(package, name) for name in names(package)}


def load_each(package: ModuleType, loader=None) -> dict[str, ModuleType | PluginError]:
    """Every plugin, or the PluginError it raised: for listings (Dagster's descriptions and check
    specs) that must show a broken plugin instead of failing to load."""
    loader = loader or (lambda name: load(package, name))
    out = {}
    for name in names(package):
        try:
            out[name] = loader(name)
        except PluginError as exc:
            out[name] = exc
    return out

"""Turn a YAML mapping into frozen dataclasses, checking keys, types and values.

Every error names the dotted key and the file, so a typo in params.yaml is found at once.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml

from fragmentforge.config.errors import ConfigError

DEFAULT_PARAMS_FILE = "params.yaml"


class PluginOptions(dict):
    """A plugin's options as written, typed only when the plugin is loaded (`build_with`), so a
    broken plugin fails where it is used, not where params are read. Errors still name the
    file and the dotted key."""

    source = "params.yaml"
    key = ""

    def build_with(self, cls: type):
        return build(cls, dict(self), self.source, self.key)


def plugin_options(values: dict, source: str, key: str) -> PluginOptions:
    out = PluginOptions(values)
    out.source, out.key = source, key
    return out


def rest_field():
    """A dataclass field that takes every key the other fields do not name (a plugin's options)."""
    return dataclasses.field(default_factory=PluginOptions, metadata={"rest": True})


def load_params(path: str | Path = DEFAULT_PARAMS_FILE):
    """Read a params file into a `Params` object, or raise ConfigError."""
    from fragmentforge.config.schema import Params

    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise ConfigError(source, "<file>", "params file not found")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(source, "<file>", f"not valid YAML: {exc}") from exc
    return build(Params, raw, source, "")


def build(cls: type, raw: Any, source: str, key: str):
    """Build dataclass `cls` from `raw`, validating as it goes."""
    where = key or "<top level>"
    if not isinstance(raw, dict):
        raise ConfigError(source, where, f"expected a mapping, got {type(raw).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    rest = next((f.name for f in fields.values() if f.metadata.get("rest")), None)
    unknown = sorted(set(raw) - set(fields))
    if rest is not None:
        raw = {**{k: v for k, v in raw.items() if k in fields and k != rest},
               rest: plugin_options({k: raw[k] for k in unknown}, source, key)}
        unknown = []
    if unknown:
        raise ConfigError(source, _join(key, unknown[0]),
                          f"unknown key (allowed: {', '.join(sorted(fields))})")
    values = {}
    for name, field in fields.items():
        sub = _join(key, name)
        if name not in raw:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                raise ConfigError(source, sub, "required key is missing")
            continue
        value = convert(hints[name], raw[name], source, sub)
        check = field.metadata.get("check")
        if check is not None:
            predicate, requirement = check
            if not predicate(value):
                raise ConfigError(source, sub, f"{requirement} (got {value!r})")
        values[name] = value
    obj = cls(**values)
    for name, message in getattr(obj, "problems", lambda: [])():
        raise ConfigError(source, _join(key, name), message)
    return obj


def convert(hint: Any, value: Any, source: str, key: str):
    if hint is PluginOptions:
        if isinstance(value, PluginOptions):
            return value
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise ConfigError(source, key, f"expected a mapping of options, got {type(value).__name__}")
        return plugin_options(value, source, key)
    origin = get_origin(hint)
    if origin is dict:
        key_hint, item_hint = get_args(hint)
        if not isinstance(value, dict):
            raise ConfigError(source, key, f"expected a mapping, got {type(value).__name__}")
        return {convert(key_hint, k, source, key): convert(item_hint, v, source, _join(key, str(k)))
                for k, v in value.items()}
    if origin in (Union, types.UnionType):
        return _convert_union(hint, value, source, key)
    if origin is Literal:
        allowed = get_args(hint)
        if value not in allowed:
            raise ConfigError(source, key, f"must be one of {list(allowed)} (got {value!r})")
        return value
    if origin is tuple:
        item_hint = get_args(hint)[0]
        if not isinstance(value, list):
            raise ConfigError(source, key, f"expected a list, got {type(value).__name__}")
        return tuple(convert(item_hint, v, source, f"{key}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return build(hint, value, source, key)
    return _convert_scalar(hint, value, source, key)


def _convert_union(hint: Any, value: Any, source: str, key: str):
    options = get_args(hint)
    if value is None:
        if type(None) in options:
            return None
        raise ConfigError(source, key, "must not be empty")
    options = [o for o in options if o is not type(None)]
    if len(options) == 1:
        return convert(options[0], value, source, key)
    raise TypeError(f"unsupported union in schema at {key}: {hint}")  # plugins type their own options


def _convert_scalar(hint: Any, value: Any, source: str, key: str):
    # bool is an int in Python; refuse it where a number is wanted, and vice versa.
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
        if ok and not value:
            raise ConfigError(source, key, "must not be empty")
    else:
        raise TypeError(f"unsupported type in schema at {key}: {hint}")
    if not ok:
        raise ConfigError(source, key, f"expected {hint.__name__}, got {type(value).__name__} {value!r}")
    return value


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name

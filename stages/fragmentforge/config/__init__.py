"""Typed, frozen view of params.yaml."""
from fragmentforge.config.errors import ConfigError
from fragmentforge.config.loader import PluginOptions, build, load_params
from fragmentforge.config.schema import (
    IngestParams,
    KeyframeParams,
    Params,
    PathsParams,
    SourceSpec,
    SyntheticParams,
    TasksParams,
)

__all__ = ["ConfigError", "IngestParams", "KeyframeParams", "Params", "PathsParams", "PluginOptions", "SourceSpec",
           "SyntheticParams", "TasksParams", "build", "load_params"]

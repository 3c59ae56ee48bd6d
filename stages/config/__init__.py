"""Typed, frozen view of params.yaml."""
from stages.config.errors import ConfigError
from stages.config.loader import load_params
from stages.config.schema import (
    IngestParams,
    KeyframeParams,
    LabelManifestSource,
    LocalFolderSource,
    PackageSamplesSource,
    Params,
    PathsParams,
    S3Source,
    SyntheticParams,
    SyntheticSource,
    TaskSpec,
    TasksParams,
)

__all__ = [
    "ConfigError",
    "IngestParams",
    "KeyframeParams",
    "LabelManifestSource",
    "LocalFolderSource",
    "PackageSamplesSource",
    "Params",
    "PathsParams",
    "S3Source",
    "SyntheticParams",
    "SyntheticSource",
    "TaskSpec",
    "TasksParams",
    "load_params",
]

"""Resources: where the project lives and which params file drives it; the results database."""
from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource

from fragmentforge.config import Params, load_params

ROOT_ENV = "FRAGMENTFORGE_ROOT"


def default_root() -> str:
    """The project root: $FRAGMENTFORGE_ROOT, else the folder that holds this package."""
    return os.environ.get(ROOT_ENV) or str(Path(__file__).resolve().parent.parent)


class PipelineConfig(ConfigurableResource):
    """The project root and its params file; stage functions get typed params from here."""

    project_root: str
    params_file: str = "params.yaml"

    @property
    def root(self) -> Path:
        return Path(self.project_root)

    def params(self) -> Params:
        return load_params(self.root / self.params_file)

    def path(self, relative: str) -> Path:
        return self.root / relative

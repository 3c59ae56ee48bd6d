"""The training lab: the tiny model in a local registry, counting datasets, and a counting
adapter trained once per test session (tests of training and of evaluation share it)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from fragmentforge.config import load_params
from fragmentforge.config.schema import VariantSpec
from fragmentforge.models.registry import Registry
from fragmentforge.models.twins import build_twin
from fragmentforge.training.runner import train_variant
from tests.conftest import REPO
from tests.counting_data import LETTERS, make_rows, preference_rows, with_answers, write_datasets

PARAMS = load_params(REPO / "params.yaml")
TINY = replace(PARAMS.models.tiny, pretrain=replace(PARAMS.models.tiny.pretrain, enabled=False))  # random weights
COUNT = VariantSpec(name="count", datasets=("count_train",), epochs=3)
TRAINING = replace(PARAMS.training, variants=(COUNT,), batch_size=8, save_steps=1000, logging_steps=2,
                   learning_rate=5e-3, time_limit_s=600)


def make_lab(tmp_path_factory):
    """A registry with the tiny model, counting datasets, and the trained counting adapter."""
    root = tmp_path_factory.mktemp("training")
    build_twin(TINY, root / "registry" / "tiny")
    registry = Registry(str(root / "registry"))
    (entry,), problems = registry.scan()
    assert problems == []
    train_rows = make_rows(root, "train", 160, seed=1)
    test_rows = make_rows(root, "test", 40, seed=2)
    noise = [LETTERS[k] for k in np.random.default_rng(4).integers(0, 4, len(train_rows))]  # unrelated to the frames
    datasets = write_datasets(root, {"count_train": train_rows, "count_test": test_rows,
                                     "count_pref": preference_rows(train_rows[:48], seed=3),
                                     "count_one_letter": with_answers(train_rows, lambda i, row: "A"),
                                     "count_noise": with_answers(train_rows, lambda i, row: noise[i])},
                              ranking=("count_pref",))
    lab = {"root": root, "entry": entry, "registry": registry, "datasets": datasets, "test_rows": test_rows}
    lab["count"] = train(lab, COUNT)
    return lab


def train(lab, variant, training=TRAINING, **kwargs):
    root = lab["root"]
    return train_variant(base=lab["entry"], base_path=root / "registry" / "tiny", variant=variant, training=training,
                         dataset_dir=lab["datasets"], media_dir=root, adapters_root=root / "adapters",
                         work_root=root / "work", cuda=False, **kwargs)



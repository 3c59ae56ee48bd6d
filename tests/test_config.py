"""params.yaml is read into frozen, typed objects; mistakes name the key and the file."""
import dataclasses

import pytest
import yaml

from fragmentforge.config import ConfigError, load_params
from tests.conftest import REPO


def test_repository_params_load_into_frozen_objects():
    params = load_params(REPO / "params.yaml")
    assert params.synthetic.num_clips >= 24
    assert [s.kind for s in params.ingest.sources] == ["synthetic", "ava", "package_samples"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.synthetic.seed = 1


def _broken(tmp_path, edit):
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    edit(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError) as info:
        load_params(path)
    assert str(path) in str(info.value)
    return info.value


@pytest.mark.parametrize("edit, key, words", [
    (lambda r: r["synthetic"].update(num_clip=3), "synthetic.num_clip", "unknown key"),
    (lambda r: r["synthetic"].update(fps="twelve"), "synthetic.fps", "expected int"),
    (lambda r: r["synthetic"].update(seed=True), "synthetic.seed", "expected int"),
    (lambda r: r["ingest"].update(test_ratio=1.5), "ingest.test_ratio", "strictly between 0 and 1"),
    (lambda r: r["synthetic"].update(width=127), "synthetic.width", "even number"),
    (lambda r: r["synthetic"].update(max_seconds=0.5), "synthetic.max_seconds", ">= min_seconds"),
    (lambda r: r["synthetic"].update(actions=["juggling"]), "synthetic.actions", "unknown action"),
    (lambda r: r["synthetic"].pop("seed"), "synthetic.seed", "required key is missing"),
    (lambda r: r["ingest"]["sources"].append({"name": "x", "kind": "ftp"}), "ingest.sources", "unknown kind 'ftp'"),
    (lambda r: r["tasks"]["generators"].update(juggling={}), "tasks.generators", "unknown task 'juggling'"),
    (lambda r: r["ingest"]["sources"].append({"name": "synthetic", "kind": "synthetic"}), "ingest.sources", "used twice"),
    (lambda r: r.update(trainer={}), "trainer", "unknown key"),
    (lambda r: r["training"]["variants"].reverse(), "training.variants", "listed before it"),
    (lambda r: r["training"]["variants"].append({"name": "sft", "datasets": ["x"]}), "training.variants", "twice"),
    (lambda r: r["training"]["variants"][0].update(tune="head"), "training.variants[0].tune", "must be one of"),
    (lambda r: r["models"]["tiny"].update(heads=3), "models.tiny.heads", "multiple of 8"),
    (lambda r: r["training"]["variants"].append({"name": "base", "datasets": ["x"]}), "training.variants",
     "without an adapter"),
    (lambda r: r["evaluation"].update(max_questions=0), "evaluation.max_questions", ">= 1"),
    (lambda r: r["models"].update(base_models=[]), "models.base_models", "at least one"),
])
def test_bad_params_name_the_key_and_the_file(tmp_path, edit, key, words):
    error = _broken(tmp_path, edit)
    assert error.key == key
    assert words in str(error)


def test_missing_or_unparsable_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_params(tmp_path / "nope.yaml")
    bad = tmp_path / "params.yaml"
    bad.write_text("paths: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_params(bad)


def test_source_kinds_type_their_own_options_when_used(tmp_path):
    from fragmentforge.sources import local_folder, source_options

    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["ingest"]["sources"] = [{"name": "mine", "kind": "local_folder", "path": "videos", "pattern": "*.mp4"},
                                {"name": "b", "kind": "s3", "uri": "bucket/x"}]
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    mine, bucket = load_params(path).ingest.sources  # a bad option does not stop params from loading
    module, options = source_options(mine)
    assert module is local_folder and isinstance(options, local_folder.Options) and options.pattern == "*.mp4"
    with pytest.raises(ConfigError) as info:
        source_options(bucket)
    assert "ingest.sources[1].uri" in str(info.value) and "s3://" in str(info.value) and str(path) in str(info.value)


def test_generator_options_are_typed_by_the_generator_when_used(tmp_path):
    from fragmentforge.tasks.registry import active_generators

    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["tasks"]["generators"]["counting"] = {"sizes": "four"}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    params = load_params(path)
    with pytest.raises(ConfigError) as info:
        active_generators(params.tasks)
    assert "tasks.generators.counting.sizes" in str(info.value) and str(path) in str(info.value)


def test_stage_cli_stops_with_the_message_not_a_traceback(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "params.yaml"
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["ingest"]["workers"] = 0
    bad.write_text(yaml.safe_dump(raw))
    done = subprocess.run([sys.executable, "-m", "fragmentforge.ingest", "--params", str(bad), "--root", str(tmp_path)],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode != 0
    assert f"bad params: {bad}: ingest.workers: must be in [1, 256]" in done.stderr
    assert "Traceback" not in done.stderr

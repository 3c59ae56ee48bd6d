"""New base models in the registry: taken only once completely copied, then given a partition,
a line in params.yaml and a run by the sensor (evaluated against a real Dagster instance)."""
import json
import shutil

import pytest
import yaml
from dagster import build_sensor_context

from dagster_project.resources import PipelineConfig
from dagster_project.sensors import registry_sensor
from fragmentforge.config import load_params
from fragmentforge.config.edit import append_base_models
from fragmentforge.models.registry import Registry
from fragmentforge.models.watch import watch
from tests.conftest import REPO, free_port, make_instance, write_params

WEIGHTS = "model.safetensors"


def test_a_model_is_taken_only_once_complete_and_unchanged_between_looks(tmp_path, lab):
    source = lab["root"] / "registry" / "tiny"
    target = tmp_path / "registry" / "second"
    target.mkdir(parents=True)
    shutil.copy(source / "config.json", target)
    registry = Registry(str(tmp_path / "registry"))

    looked = watch(registry, {})
    assert not looked.landed and "still changing" in looked.waiting["second"]
    looked = watch(registry, looked.cursor)  # unchanged, but only config.json so far
    assert not looked.landed and "not a loadable model" in looked.waiting["second"]

    for path in source.iterdir():
        shutil.copy(path, target)
    weights = (source / WEIGHTS).read_bytes()
    (target / WEIGHTS).write_bytes(weights[: len(weights) // 2])  # the copy has stalled halfway
    looked = watch(registry, looked.cursor)
    assert not looked.landed
    looked = watch(registry, looked.cursor)
    assert not looked.landed and "still being copied, or truncated" in looked.waiting["second"]

    (target / WEIGHTS).write_bytes(weights)
    looked = watch(registry, looked.cursor)
    assert not looked.landed, "a folder that just changed waits for one more look"
    looked = watch(registry, looked.cursor)
    assert [(m.entry.name, m.previous_hash) for m in looked.landed] == [("second", None)]
    first_hash = looked.landed[0].entry.content_hash
    assert first_hash == lab["entry"].content_hash

    again = watch(registry, looked.cursor)
    assert not again.landed and not again.waiting

    (target / "generation_config.json").write_text('{"do_sample": false}\n')  # the model was updated
    again = watch(registry, watch(registry, again.cursor).cursor)
    assert [(m.entry.name, m.previous_hash) for m in again.landed] == [("second", first_hash)]
    assert again.landed[0].entry.content_hash != first_hash


def test_a_model_of_no_known_family_is_listed_unsupported_and_never_taken(tmp_path, lab):
    target = tmp_path / "registry" / "other-vlm"
    shutil.copytree(lab["root"] / "registry" / "tiny", target)
    config = json.loads((target / "config.json").read_text())
    (target / "config.json").write_text(json.dumps({**config, "model_type": "made_up_vlm"}))
    registry = Registry(str(tmp_path / "registry"))
    models, (problem,) = registry.scan()
    assert models == [] and problem.reason.startswith("unsupported: no model family serves model_type 'made_up_vlm'")
    looked = watch(registry, watch(registry, {}).cursor)
    assert not looked.landed and not looked.waiting and "made_up_vlm" in looked.unsupported["other-vlm"]
    again = watch(registry, looked.cursor)  # kept in the cursor: not described again, still not taken
    assert not again.landed and again.unsupported == looked.unsupported and again.cursor == looked.cursor


def test_remote_code_runs_only_when_allowed_and_only_from_the_model_folder(tmp_path, lab):
    """MiniCPM-V's family runs the folder's own code: listed unsupported until params allow the
    model, and refused outright when auto_map points at code outside the folder."""
    target = tmp_path / "registry" / "minicpm"
    shutil.copytree(lab["root"] / "registry" / "tiny", target)
    config = json.loads((target / "config.json").read_text())

    def reason(allowed=(), **changes):
        (target / "config.json").write_text(json.dumps({**config, "model_type": "minicpmv", **changes}))
        models, problems = Registry(str(tmp_path / "registry"), remote_code_allowed=allowed).scan()
        return models, [p.reason for p in problems]

    assert reason(("minicpm",))[1] == ["unsupported: its family runs the model's own code, but config.json has no "
                                       "auto_map"]
    auto_map = {"AutoConfig": "configuration_minicpm.MiniCPMVConfig", "AutoModel": "modeling_minicpmv.MiniCPMV"}
    (_, [missing]) = reason(("minicpm",), auto_map=auto_map)
    assert "configuration_minicpm.py, modeling_minicpmv.py, not in the folder; nothing is downloaded" in missing
    (_, [hub]) = reason(("minicpm",), auto_map={"AutoModel": "openbmb/MiniCPM-V-2_6--modeling_minicpmv.MiniCPMV"})
    assert "points outside the folder" in hub
    for module in ("configuration_minicpm.py", "modeling_minicpmv.py"):
        (target / module).write_text("# the model's own code\n")
    (_, [not_allowed]) = reason(auto_map=auto_map)
    assert not_allowed.startswith("unsupported until allowed") and "models.trust_remote_code" in not_allowed
    looked = watch(Registry(str(tmp_path / "registry")), {})
    looked = watch(Registry(str(tmp_path / "registry")), looked.cursor)
    assert not looked.landed and "until allowed" in looked.unsupported["minicpm"]
    ([entry], problems) = reason(("minicpm",), auto_map=auto_map)
    assert problems == [] and entry.remote_code == ("configuration_minicpm.py", "modeling_minicpmv.py")


def test_appending_base_models_keeps_the_rest_of_params_yaml(tmp_path):
    path = tmp_path / "params.yaml"
    shutil.copy(REPO / "params.yaml", path)
    before = path.read_text()
    assert append_base_models(path, ["qwen2-vl-2b", "tiny-qwen2vl", "qwen2-vl-2b"]) == ["qwen2-vl-2b"]
    assert append_base_models(path, ["qwen2-vl-2b"]) == []
    after = path.read_text()
    assert load_params(path).models.base_models == ("tiny-qwen2vl", "qwen2-vl-2b")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 1 and "# trained and evaluated, in this order" in changed[0][1]
    assert yaml.safe_load(after)["training"] == yaml.safe_load(before)["training"]

    block = tmp_path / "block.yaml"
    block.write_text(yaml.safe_dump(yaml.safe_load(before), sort_keys=False))
    assert "  base_models:\n  - tiny-qwen2vl\n" in block.read_text()
    assert append_base_models(block, ["b", "c"]) == ["b", "c"]
    assert load_params(block).models.base_models == ("tiny-qwen2vl", "b", "c")


def _sensor_project(tmp_path, registry: str, endpoint_url=None):
    root = tmp_path / "project"
    root.mkdir()
    params = write_params(root)
    raw = yaml.safe_load(params.read_text())
    raw["models"].update({"registry": registry, "endpoint_url": endpoint_url})
    params.write_text(yaml.safe_dump(raw, sort_keys=False))  # base_models as a block of "- name" lines
    return root, PipelineConfig(project_root=str(root))


def _tick(instance, pipeline, cursor):
    result = registry_sensor(build_sensor_context(instance=instance, cursor=cursor, resources={"pipeline": pipeline}))
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def _drop_models_and_watch(tmp_path, pipeline, root, put):
    """The listed model is already a partition; a second one lands and gets everything."""
    instance = make_instance(tmp_path / "dagster_home")
    instance.add_dynamic_partitions("base_models", ["tiny-qwen2vl"])
    put("tiny-qwen2vl")
    first = _tick(instance, pipeline, None)
    second = _tick(instance, pipeline, first.cursor)
    assert first.run_requests == [] and second.run_requests == [], "a model that already has a partition"
    assert json.loads(second.cursor)["accepted"].keys() == {"tiny-qwen2vl"}

    put("tiny-b")
    seen = _tick(instance, pipeline, second.cursor)
    assert seen.run_requests == [] and instance.get_dynamic_partitions("base_models") == ["tiny-qwen2vl"]
    taken = _tick(instance, pipeline, seen.cursor)
    assert [(r.partition_key, r.run_key.split("@")[0]) for r in taken.run_requests] == [("tiny-b", "tiny-b")]
    assert instance.get_dynamic_partitions("base_models") == ["tiny-qwen2vl", "tiny-b"]
    assert load_params(root / "params.yaml").models.base_models == ("tiny-qwen2vl", "tiny-b")
    quiet = _tick(instance, pipeline, taken.cursor)
    assert quiet.run_requests == [] and quiet.cursor == taken.cursor


@pytest.mark.slow
def test_sensor_on_a_local_registry(tmp_path, lab):
    registry = tmp_path / "registry"
    root, pipeline = _sensor_project(tmp_path, str(registry))
    _drop_models_and_watch(tmp_path, pipeline, root,
                           lambda name: shutil.copytree(lab["root"] / "registry" / "tiny", registry / name))


@pytest.mark.slow
def test_sensor_on_an_s3_registry(tmp_path, lab, s3_endpoint):
    from fragmentforge.s3_access import filesystem

    fs = filesystem(s3_endpoint)
    fs.mkdir("models")
    root, pipeline = _sensor_project(tmp_path, "s3://models/registry", s3_endpoint)
    _drop_models_and_watch(tmp_path, pipeline, root, lambda name: fs.put(
        str(lab["root"] / "registry" / "tiny") + "/", f"models/registry/{name}", recursive=True))


def test_an_s3_registry_with_a_wrong_secret_or_a_dead_endpoint_says_so(rclone_s3, monkeypatch):
    from fragmentforge.models.registry import RegistryAccessError

    wrong = "not-the-secret"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    with pytest.raises(RegistryAccessError) as refused:
        Registry("s3://models/registry", rclone_s3).scan()
    assert "refused the credentials" in str(refused.value) and wrong not in str(refused.value)
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RegistryAccessError) as unreachable:
        Registry("s3://models/registry", dead).scan()
    assert f"cannot reach the model registry s3://models/registry (endpoint {dead})" in str(unreachable.value)

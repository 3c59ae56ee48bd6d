"""Identity from what matters: DVC's deps are the import graph, Dagster's code versions follow
them, and an evaluation run's id moves exactly when a prediction can.

The same edits through `dvc status` on a real repro are in test_orchestrators (slow)."""
import shutil
from dataclasses import replace

import pytest
import yaml

from dagster_project.definitions import build_definitions
from fragmentforge import lineage
from fragmentforge.config import load_params
from fragmentforge.evaluate.identity import PREDICTION_CODE, params_hash
from tests.conftest import REPO, make_project

PROMPT = '"Answer with the option\'s letter."'


def test_dvc_yaml_deps_are_the_import_graph():
    assert lineage.drift(REPO) == {}, "run: python -m fragmentforge.lineage --write"


def test_an_import_the_deps_miss_fails_the_check(tmp_path):
    root = make_project(tmp_path)
    stage = root / "stages" / "fragmentforge" / "keyframes" / "node.py"
    stage.write_text(stage.read_text().replace("from fragmentforge.cli import",
                                               "from fragmentforge.tasks import record  # noqa\nfrom fragmentforge.cli import"))
    problems = lineage.drift(root)
    assert "stages/fragmentforge/tasks/record.py" in problems["keyframe_sets"]["missing"]
    lineage.write_deps(root)
    assert lineage.drift(root) == {}


def test_a_new_generator_file_becomes_a_dep_of_the_nodes_that_scan_for_generators(tmp_path):
    root = make_project(tmp_path)
    shutil.copy(root / "stages/fragmentforge/tasks/generators/counting.py",
                root / "stages/fragmentforge/tasks/generators/counting_again.py")
    problems = lineage.drift(root)
    assert "stages/fragmentforge/tasks/generators/counting_again.py" in problems["proxy_tasks"]["missing"]
    assert "keyframe_sets" not in problems  # it does not scan for generators


def code_versions(root) -> dict:
    graph = build_definitions(str(root)).resolve_asset_graph()
    return {key.to_user_string(): graph.get(key).code_version for key in graph.get_all_asset_keys()}


def edit_params(root, section: str, **changes):
    raw = yaml.safe_load((root / "params.yaml").read_text())
    raw[section].update(changes)
    (root / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))


@pytest.fixture
def versioned(tmp_path):
    root = make_project(tmp_path)
    return root, code_versions(root), lineage.code_digest(root, *PREDICTION_CODE)


def test_batch_size_and_progress_change_no_version_and_no_run_id(versioned):
    root, before, code = versioned
    params = load_params(root / "params.yaml")
    edit_params(root, "evaluation", batch_size=3, external_time_limit_s=5)
    edit_params(root, "ingest", progress=not params.ingest.progress, workers=1, probe_time_limit_s=7)
    edit_params(root, "keyframes", workers=1, time_limit_s=9)
    assert code_versions(root) == before
    after = load_params(root / "params.yaml")
    assert params_hash(after.evaluation) == params_hash(params.evaluation)
    assert lineage.code_digest(root, *PREDICTION_CODE) == code
    assert params_hash(replace(params.evaluation, scoring="generation")) != params_hash(params.evaluation)


def test_new_prompt_wording_reevaluates_base_and_every_variant(versioned):
    root, before, code = versioned
    record = root / "stages" / "fragmentforge" / "tasks" / "record.py"
    assert PROMPT in record.read_text()
    record.write_text(record.read_text().replace(PROMPT, '"Reply with the letter."'))
    after = code_versions(root)
    changed = {name for name in after if after[name] != before[name]}
    assert {"proxy_tasks", "training_datasets", "evaluations"} <= changed
    assert not changed & {"synthetic_clips", "raw_videos", "keyframe_sets", "base_models"}
    # The run id of Base (no adapter) and of every variant hashes this code: all of them move.
    assert lineage.code_digest(root, *PREDICTION_CODE) != code


def test_a_run_id_names_its_base_model_and_variant():
    from fragmentforge.evaluate.identity import run_record

    evaluation = load_params(REPO / "params.yaml").evaluation
    ids = {run_record(base, "same-weights", variant, None, "data", evaluation, "cpu", 10)["run_id"]
           for base in ("a", "b") for variant in ("base", "sft")}
    assert len(ids) == 4  # two names for one set of weights never share (and delete) each other's runs


def test_report_formatting_reruns_the_report_only(versioned):
    root, before, code = versioned
    tables = root / "stages" / "fragmentforge" / "evaluate" / "report_tables.py"
    tables.write_text(tables.read_text() + "\n# a formatting change\n")
    after = code_versions(root)
    assert {name for name in after if after[name] != before[name]} == {"benchmark_report"}
    assert lineage.code_digest(root, *PREDICTION_CODE) == code

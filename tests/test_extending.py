"""Extending the pipeline costs one new file: a proxy task, a video source kind. Each test adds
the file to a copy of the project, edits nothing else (a source is named in params.yaml, as
any source is), and runs the stages in fresh processes, as DVC and Dagster do."""
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from fragmentforge.video.encode import write_h264
from tests.conftest import make_project
from tests.test_keyframes import moving_square

NEW_TASK = '''"""Pair order (added by a test): is the first of two shown frames the earlier one?"""
from dataclasses import dataclass

from fragmentforge.tasks.record import NO, YES, Draft
from fragmentforge.tasks.registry import TaskOptions

LEVEL, COLUMN, ORDER = "fragment", "PairO", 9
DESCRIPTION = "Whether the first of two shown frames comes earlier in the video."
CHECK_DESCRIPTION = "Pair-order answers follow the frames' positions."


@dataclass(frozen=True)
class Options(TaskOptions):
    gap: int = 2  # a task's own option: how many set positions apart the two frames are


def generate(ctx, env):
    for s in env.fragment_sets(ctx):
        first, second = 0, min(s.n - 1, env.options.gap)
        if env.rng.random() < 0.5:
            first, second = second, first
        right, wrong = (YES, NO) if first < second else (NO, YES)
        yield Draft(env.params.fragment_variant, [s.paths[first], s.paths[second]],
                    "Was the first frame taken before the second?", right, [wrong], {"n": 2})


def check(record, media):
    a, b = media.positions(record)
    return record.answer_text == (YES if a < b else NO)
'''

NEW_SOURCE = '''"""Videos named, one path per line, in a text file (added by a test)."""
from dataclasses import dataclass
from pathlib import Path

from fragmentforge.sources import Candidate, resolve


@dataclass(frozen=True)
class Options:
    name: str
    kind: str
    listing: str


def list_candidates(source, context):
    listing = resolve(context.root, source.listing)
    out = []
    for line in listing.read_text().splitlines():
        path = resolve(listing.parent, line.strip())
        out.append(Candidate(source=source.name, name=line.strip(), uri=str(path), local_path=path))
    return out
'''


def run_node(root, node: str, *args):
    env = {**os.environ, "PYTHONPATH": f"{root}:{root / 'stages'}"}
    done = subprocess.run([sys.executable, "-m", f"stages.{node}", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    return done.stdout


@pytest.mark.slow
def test_a_new_proxy_task_is_one_file(tmp_path):
    root = make_project(tmp_path)
    (root / "stages" / "fragmentforge" / "tasks" / "generators" / "pair_order.py").write_text(NEW_TASK)
    for node in ("synthetic_clips", "raw_videos", "keyframe_sets", "motion_descriptors", "teacher_labels", "proxy_tasks",
                 "task_gate", "training_datasets", "base_models"):
        run_node(root, node)
    qa = pd.read_parquet(root / "data" / "tasks" / "qa.parquet")
    pairs = qa[qa.task == "pair_order"]
    assert set(pairs.split) == {"train", "test"} and (pairs.level == "fragment").all()
    gate = json.loads((root / "data" / "validation" / "tasks_gate.json").read_text())
    assert gate["success"] and gate["checks"]["pair_order_answers"] is True  # its own check ran
    exported = json.loads((root / "data" / "exports" / "llamafactory" / "sf2t_train.json").read_text())
    assert sum("Was the first frame taken before" in e["messages"][0]["content"] for e in exported) == \
        int((pairs.split == "train").sum())
    run_node(root, "evaluations")  # no adapter trained here: the base model alone
    base = root / "data" / "eval" / "tiny-qwen2vl" / "base"
    predictions = pd.read_parquet(base / "predictions.parquet")
    assert (predictions.task == "pair_order").sum() == int((pairs.split == "test").sum())
    run_node(root, "benchmark_report")
    report = (root / "data" / "reports" / "tiny-qwen2vl" / "report.md").read_text()
    header = next(line for line in report.splitlines() if line.startswith("| model |"))
    assert "| PairO |" in header and header.index("Rearr") < header.index("PairO") < header.index("FG-Avg")
    from fragmentforge.evaluate.report_tables import columns

    assert f"all {len(columns().tasks) + 1}" in report  # every reported task of the repository, and pair_order

    # Its option is typed by its own Options, and it is described in Dagster.
    check = subprocess.run([sys.executable, "-c", (
        "from dagster_project.definitions import build_definitions\n"
        "from dagster import AssetKey\n"
        f"defs = build_definitions({str(root)!r})\n"
        "node = defs.resolve_asset_graph().get(AssetKey('proxy_tasks'))\n"
        "print(node.description)\n"
        "print(sorted(k.name for k in defs.resolve_asset_graph().asset_check_keys))")],
        cwd=root, env={**os.environ, "PYTHONPATH": f"{root}:{root / 'stages'}"}, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr[-3000:]
    assert "pair_order**: Whether the first of two shown frames" in check.stdout
    assert "pair_order_answers" in check.stdout


def test_a_new_source_kind_is_one_file(tmp_path):
    root = make_project(tmp_path)
    (root / "stages" / "fragmentforge" / "sources" / "listing.py").write_text(NEW_SOURCE)
    clips = root / "videos"
    clips.mkdir()
    write_h264(clips / "a.mp4", moving_square(12, moving=lambda i: True), fps=8)
    (clips / "list.txt").write_text("a.mp4\nmissing.mp4\n")
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["ingest"]["sources"] = [{"name": "listed", "kind": "listing", "listing": "videos/list.txt"}]
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run_node(root, "raw_videos")
    manifest = pd.read_parquet(root / "data" / "raw" / "manifest.parquet").set_index("input_id")
    assert manifest.loc["listed:a.mp4", "status"] == "ok"
    assert manifest.loc["listed:missing.mp4", "status"] == "quarantined"

    params["ingest"]["sources"] = [{"name": "listed", "kind": "listing", "listing": 3}]
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    env = {**os.environ, "PYTHONPATH": f"{root}:{root / 'stages'}"}
    bad = subprocess.run([sys.executable, "-m", "stages.raw_videos"], cwd=root, env=env, capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode != 0 and "ingest.sources[0].listing" in bad.stderr and "expected str" in bad.stderr


def test_a_broken_generator_fails_where_it_is_used_not_where_params_load(tmp_path):
    root = make_project(tmp_path)
    (root / "stages" / "fragmentforge" / "tasks" / "generators" / "broken.py").write_text("LEVEL = (\n")
    script = (
        "from fragmentforge.config import load_params\n"
        "from fragmentforge.plugins import PluginError\n"
        "from fragmentforge.tasks.registry import active_generators\n"
        "from dagster import AssetKey\n"
        "from dagster_project.definitions import build_definitions\n"
        "params = load_params('params.yaml')\n"  # params, the code location and its checks still load
        "graph = build_definitions('.').resolve_asset_graph()\n"
        "print(graph.get(AssetKey('proxy_tasks')).description)\n"
        "try:\n"
        "    active_generators(params.tasks)\n"
        "except PluginError as exc:\n"
        "    print('RAISED', exc)\n")
    env = {**os.environ, "PYTHONPATH": f"{root}:{root / 'stages'}"}
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "**broken**: BROKEN: task generator 'broken'" in done.stdout
    assert "RAISED task generator 'broken' (fragmentforge.tasks.generators.broken) failed to import: SyntaxError" \
        in done.stdout

    # A generator whose LEVEL names no column group is refused by name, not dropped from the report.
    (root / "stages" / "fragmentforge" / "tasks" / "generators" / "broken.py").write_text(
        NEW_TASK.replace('LEVEL, COLUMN, ORDER = "fragment"', 'LEVEL, COLUMN, ORDER = "fragmnet"'))
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert "RAISED task generator 'broken': LEVEL 'fragmnet' is not a level" in done.stdout, done.stdout[-2000:]

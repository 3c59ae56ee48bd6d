"""`make run`: bring every asset up to date through Dagster, doing only what is stale.

1. Each base model in models.base_models gets its partition (the registry sensor adds later ones).
2. Dagster's stale status (code versions from the DVC stages' code and params, upstream data
   versions) picks the assets and partitions that are missing or stale.
3. Those are materialized: the shared data assets first, then each base model's partition.
A rerun with nothing changed materializes nothing. The ablations group is left alone: its arms
are DVC experiments, run when asked for (`make ablations`, or their partitions in the UI).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from dagster import AssetKey, DagsterInstance

from dagster_project.assets.ablations import ABLATIONS_GROUP
from dagster_project.definitions import build_definitions
from dagster_project.partitions import BASE_MODELS
from dagster_project.resources import default_root
from fragmentforge.config import load_params


def stale_selection(defs, instance) -> tuple[list[AssetKey], dict[str, list[AssetKey]]]:
    """(unpartitioned keys to run, {partition: keys to run}), each in no particular order."""
    # Dagster's own resolver (what the UI shows as stale); it has no public constructor yet.
    from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView, TemporalContext
    from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
    from dagster._time import get_current_datetime

    graph = defs.resolve_asset_graph()
    view = AssetGraphView(temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
                          instance=instance, asset_graph=graph)
    resolver = CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)
    shared, per_partition = [], {}
    partitions = instance.get_dynamic_partitions(BASE_MODELS.name)
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if not node.is_materializable or node.group_name == ABLATIONS_GROUP:  # ablations run on demand
            continue
        if node.partitions_def is None:
            if resolver.get_status(key) != StaleStatus.FRESH:
                shared.append(key)
            continue
        for partition in partitions:
            if resolver.get_status(key, partition) != StaleStatus.FRESH:
                per_partition.setdefault(partition, []).append(key)
    return with_downstream(graph, shared), {p: with_downstream(graph, keys) for p, keys in per_partition.items()}


def with_downstream(graph, keys: list[AssetKey]) -> list[AssetKey]:
    """Dagster flags only the asset whose own inputs moved; what is below it must follow in the
    same run (stages that find their inputs unchanged skip their work). A shared asset's
    partitioned children are picked per partition once it has run."""
    selected, queue = set(keys), list(keys)
    while queue:
        parent = graph.get(queue.pop())
        for child in parent.child_keys:
            node = graph.get(child)
            if child not in selected and node.is_materializable and node.partitions_def == parent.partitions_def:
                selected.add(child)
                queue.append(child)
    return sorted(selected, key=lambda k: k.to_user_string())


def materialize(keys: list[AssetKey], partition: str | None) -> None:
    cmd = [str(Path(sys.executable).with_name("dagster")), "asset", "materialize", "-m", "dagster_project.definitions",
           "--select", ",".join(k.to_user_string() for k in keys)]
    if partition:
        cmd += ["--partition", partition]
    subprocess.run(cmd, check=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Materialize what is stale or missing, through Dagster.")
    parser.add_argument("--dry-run", action="store_true", help="only print what would run")
    args = parser.parse_args(argv)
    started, started_wall = time.monotonic(), time.time()
    root = Path(default_root())
    params = load_params(root / "params.yaml")
    instance = DagsterInstance.get()
    known = set(instance.get_dynamic_partitions(BASE_MODELS.name))
    missing = [name for name in params.models.base_models if name not in known]
    if missing:
        instance.add_dynamic_partitions(BASE_MODELS.name, missing)
    defs = build_definitions(str(root))
    shared, per_partition = stale_selection(defs, instance)
    print(f"stale or missing: {len(shared)} shared assets"
          + "".join(f"; {p}: {len(k)}" for p, k in per_partition.items())
          + f" (checked in {time.monotonic() - started:.1f} s)", flush=True)
    if args.dry_run:
        return
    try:
        if shared:
            materialize(shared, None)
        for partition in params.models.base_models:
            # Shared assets just rematerialized may have made this partition stale.
            if shared:
                _, per_partition = stale_selection(defs, instance)
            if per_partition.get(partition):
                materialize(per_partition[partition], partition)
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"make run: a Dagster run failed ({exc.returncode}); see its log above") from None
    if not shared and not per_partition:
        print("nothing to do: every asset is up to date")
    else:
        print_stage_times(instance, since=started_wall)


def print_stage_times(instance, since: float) -> None:
    """Where the time went: every step of the runs this launch started, from Dagster's own stats."""
    from dagster import RunsFilter

    rows = []
    for run in reversed(instance.get_run_records(RunsFilter(created_after=datetime.fromtimestamp(since, timezone.utc)))):
        partition = run.dagster_run.tags.get("dagster/partition", "")
        for step in instance.get_run_step_stats(run.dagster_run.run_id):
            if step.start_time and step.end_time:
                rows.append((step.start_time, step.step_key, partition, step.end_time - step.start_time))
    if rows:
        print("time per stage (s):")
        for _, key, partition, seconds in sorted(rows):
            print(f"  {key:<24} {partition:<16} {seconds:7.1f}")
        print(f"  {'sum of steps':<41} {sum(r[3] for r in rows):7.1f}")


if __name__ == "__main__":
    os.environ.setdefault("DAGSTER_HOME", str(Path(default_root()) / ".dagster_home"))
    main()

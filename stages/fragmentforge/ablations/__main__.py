"""`make ablations` / `python -m fragmentforge.ablations [NAME ...]`: run every ablation table (or
the named ones) as DVC experiments on the last `make run`, collect each arm's results and write
the ablation report. An arm whose experiment already exists on this commit is reused."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fragmentforge.ablations import collect, experiments, report
from fragmentforge.ablations.spec import TABLES, AblationError, by_name
from fragmentforge.config import ConfigError, load_params
from fragmentforge.layout import ABLATIONS_DB


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="ablations to run (default: all; see --list)")
    parser.add_argument("--list", action="store_true", help="list the ablations and their arms, then stop")
    parser.add_argument("--force", action="store_true", help="rerun arms that already have an experiment")
    parser.add_argument("--report-only", action="store_true",
                        help="write the report again from what the last run collected; run nothing")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--root", default=".")
    parser.add_argument("--tables", type=Path, default=TABLES, help="folder of ablation files (default: the shipped ones)")
    parser.add_argument("--time-limit-s", type=float, default=3 * 3600, help="for all the experiments together")
    return parser.parse_args(argv)


def collect_arms(conn, root: Path, params, ablations, runs: dict) -> None:
    made, cache = experiments.existing(root), collect.cache_dir(root)
    for ablation in ablations:
        for base in params.models.base_models:
            for arm in ablation.arms:
                name = ablation.experiment(arm)
                collect.collect_arm(conn, root, ablation, arm, base, made.get(name), runs.get(name), cache)


def main(argv=None) -> int:
    args = parse(argv)
    root = Path(args.root).resolve()
    try:
        params = load_params(root / args.params)
        ablations = by_name(args.names, args.tables)
    except (ConfigError, AblationError) as exc:
        print(f"ablations: {exc}", file=sys.stderr)
        return 2
    runnable = [a for a in ablations if not a.waiting_for]
    if args.list:
        for a in ablations:
            state = f"  (waiting for: {a.waiting_for})" if a.waiting_for else ""
            print(f"{a.name}: {a.title}{state}\n  arms: {', '.join(arm.name for arm in a.arms)}")
        return 0
    if args.report_only:
        print(f"ablations: report in {report.rewrite(root, params, args.tables)[0]}")
        return 0
    started = time.monotonic()
    try:
        runs = experiments.run_arms(root, params, [(a, arm) for a in runnable for arm in a.arms], args.force,
                                    args.time_limit_s)
    except experiments.ExperimentError as exc:
        print(f"ablations: {exc}", file=sys.stderr)
        return 1
    conn = collect.connect(root / params.paths.ablations_dir / ABLATIONS_DB)
    try:
        collect_arms(conn, root, params, runnable, runs)
    finally:
        conn.close()
    total = time.monotonic() - started
    failed = {name: run.failure for name, run in runs.items() if run.failure}
    folder, _ = report.rewrite(root, params, args.tables, total, failed)
    for name, run in runs.items():
        took = f"{run.seconds:.0f} s" if run.seconds is not None else "–"
        print(f"  {name}: {took}, " + (f"FAILED: {run.failure}" if run.failure
                                       else f"ran {', '.join(run.stages_run) or 'nothing'}"))
    print(f"ablations: finished in {total:.0f} s; report in {folder}"
          + (f"; {len(failed)} arms failed" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""No-op reruns, side by side: `make run`'s launcher (Dagster) and `dvc repro` with nothing
changed, each timed over interleaved rounds against the 5 s target. Needs a finished
`make run`; a first `dvc repro` brings dvc.lock up to date when it is stale (not timed)."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DVC = ROOT / ".venv-dvc" / "bin" / "dvc"
TARGET_S = 5.0
ROUNDS = 5


def timed(cmd: list[str], env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout + done.stderr


def main() -> None:
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "DAGSTER_HOME": str(ROOT / ".dagster_home"), "PYTHONPATH": f"{ROOT}:{ROOT / 'stages'}"}
    launcher = [sys.executable, "-m", "dagster_project.launch"]
    repro = [str(DVC), "repro"]
    _, log = timed(launcher, env)
    if "nothing to do" not in log:
        raise SystemExit("the Dagster launcher still had work to do; run `make run` first")
    timed(repro, env)  # bring dvc.lock up to date
    times = {"dagster": [], "dvc": []}
    for _ in range(ROUNDS):
        seconds, log = timed(launcher, env)
        assert "nothing to do" in log, log[-2000:]
        times["dagster"].append(seconds)
        seconds, log = timed(repro, env)
        assert "Data and pipelines are up to date" in log, log[-2000:]
        times["dvc"].append(seconds)
    print(f"no-op rerun, median of {ROUNDS} interleaved rounds (target <= {TARGET_S:.0f} s):")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:8s} {median:5.2f} s  (min {min(values):.2f}, max {max(values):.2f})  "
              f"ratio to target {median / TARGET_S:.2f}")


if __name__ == "__main__":
    main()

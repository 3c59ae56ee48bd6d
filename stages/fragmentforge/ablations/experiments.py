"""Arms as DVC experiments: `dvc exp run --queue -S ...` per arm, then `dvc exp run --run-all`.

Each queued experiment runs in its own temporary clone of the commit, with DVC's cache shared:
every output the overrides do not touch is checked out from the cache, not recomputed, and the
stages our own nodes persist (adapters, evaluations) skip variants whose fingerprint did not
change. `dvc commit` first, so the cache holds what `make run` wrote."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fragmentforge.ablations.spec import Ablation, Arm, set_args
from fragmentforge.dvc_remote import dvc_program

STARTED = re.compile(r"Reproducing experiment '([^']+)'")
RAN = re.compile(r"Running stage '([^']+)'")


class ExperimentError(RuntimeError):
    pass


@dataclass
class ArmRun:
    experiment: str
    seconds: float | None = None
    stages_run: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    failure: str | None = None  # why no experiment came out of it


def dvc_env(root: Path) -> dict:
    # the project's python for the stages, then DVC's own bin: its queue workers call `dvc`
    path = os.pathsep.join([str(Path(sys.executable).parent), str(Path(dvc_program(root)).parent), os.environ.get("PATH", "")])
    # relative: each experiment's stages run in its own clone and must import that clone's code
    return {**os.environ, "PATH": path,
            "PYTHONPATH": f".{os.pathsep}stages"}


def dvc(root: Path, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([dvc_program(root), *args], cwd=root, env=dvc_env(root), capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise ExperimentError(f"dvc {' '.join(args)} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def baseline(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()


def existing(root: Path) -> dict[str, str]:
    """{experiment name: its commit} for experiments on the current commit (DVC's refs/exps layout)."""
    rev = baseline(root)
    out = git(root, "for-each-ref", "--format=%(refname) %(objectname)", f"refs/exps/{rev[:2]}/{rev[2:]}/")
    return {ref.rsplit("/", 1)[1]: sha for ref, sha in (line.split() for line in out.splitlines())}


def workspace_clean(root: Path) -> bool:
    return not git(root, "status", "--porcelain", "--untracked-files=no").strip()


def queue(root: Path, arms: list[tuple[Ablation, Arm]], copy_paths: list[str], force: bool) -> list[str]:
    """Queue every arm that has no experiment on this commit yet; returns the queued names.
    An experiment is reused only when the workspace is the commit: else it may be stale."""
    done = existing(root) if workspace_clean(root) and not force else {}
    stale = [name for name in existing(root) if name not in done]
    # the queue is this command's: entries left from an earlier run go, so names mean this run's tasks
    # (no `dvc queue stop` anywhere: its shutdown message outlives it and stops the next run's worker)
    dvc(root, "queue", "remove", "--queued", "--failed", "--success", check=False)
    queued = []
    for ablation, arm in arms:
        name = ablation.experiment(arm)
        if name in done or name in queued:  # arms with the same overrides share one experiment
            continue
        if name in stale:
            dvc(root, "exp", "remove", name)
        copies = [a for p in copy_paths for a in ("-C", p)]
        dvc(root, "exp", "run", "--queue", "-n", name, *set_args(arm), *copies)
        queued.append(name)
    return queued


def run_arms(root: Path, params, arms: list[tuple[Ablation, Arm]], force: bool, time_limit_s: float,
             echo=print) -> dict[str, ArmRun]:
    """`make ablations` and Dagster's ablation_arm alike: the workspace's outputs into DVC's cache,
    the arms without an experiment on this commit queued, then run. {name: run} of those that ran."""
    # make run's outputs into DVC's cache: every arm checks them out instead of recomputing them
    dvc(root, "commit", "-f", "-q")
    # the review decisions are an input no stage writes: each clone gets a copy (its folder, since
    # DVC copies a single file only into a folder that exists)
    review_folder = Path(params.paths.review_db).parent.as_posix()
    queued = queue(root, arms, [review_folder], force)
    names = {ablation.experiment(arm) for ablation, arm in arms}
    echo(f"ablations: {len(arms)} arms in {len(names)} experiments: {len(queued)} queued, "
         f"{len(names) - len(queued)} reused from earlier runs on this commit")
    return run_all(root, queued, time_limit_s, echo=echo)


def queue_states(root: Path) -> tuple[dict[str, str], int]:
    """({experiment name: Queued | Running | Success | Failed}, workers alive) from `dvc queue status`."""
    out = dvc(root, "queue", "status", check=False, timeout=120).stdout
    states = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[-1] in ("Queued", "Running", "Success", "Failed"):
            states[parts[1]] = parts[-1]
    workers = re.search(r"Worker status: (\d+) active, (\d+) idle", out)
    return states, (int(workers.group(1)) + int(workers.group(2))) if workers else 0


def watchdog(root: Path, proc: subprocess.Popen, names: list[str], time_limit_s: float, silent_limit_s: float,
             last_line: list) -> threading.Thread:
    """Stop `proc` once every queued experiment has ended, since DVC's follow loop can wait for
    ever after the last one (treeverse/dvc#10398, #10428); kill it past the time limit, or when
    it prints nothing for silent_limit_s."""
    started = time.monotonic()

    def watch():
        while proc.poll() is None:
            time.sleep(5)
            now = time.monotonic()
            if now - started > time_limit_s or now - last_line[0] > silent_limit_s:
                last_line.append("killed")
                proc.kill()
                return
            if now - last_line[0] > 20:
                try:
                    states, workers = queue_states(root)
                    if all(states.get(n) in ("Success", "Failed") for n in names):
                        time.sleep(5)  # the follower's last lines
                        proc.kill()
                        return
                    if not workers and any(states.get(n) == "Queued" for n in names):
                        dvc(root, "queue", "start", "-j", "1", check=False)  # a worker that left early
                except Exception as exc:  # noqa: BLE001 - a dead watchdog is a hang: say why, look again
                    print(f"ablations: watchdog: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def run_all(root: Path, queued: list[str], time_limit_s: float, silent_limit_s: float = 900,
            echo=print) -> dict[str, ArmRun]:
    """`dvc exp run --run-all` (one at a time: 2 cores), its log followed line by line: each arm's
    wall time and the stages that ran in it. A watchdog stops the queue when it hangs."""
    runs: dict[str, ArmRun] = {}
    if not queued:
        return runs
    proc = subprocess.Popen([dvc_program(root), "exp", "run", "--run-all", "-j", "1"], cwd=root, env=dvc_env(root),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    last_line = [time.monotonic()]
    watchdog(root, proc, queued, time_limit_s, silent_limit_s, last_line)
    current, started = None, time.monotonic()
    try:
        for line in proc.stdout:
            last_line[0] = time.monotonic()
            echo(line.rstrip())
            if m := STARTED.search(line):
                now = time.monotonic()
                if current:
                    runs[current].seconds = now - started
                current, started = m.group(1), now
                runs[current] = ArmRun(current)
            elif current:
                runs[current].log.append(line.rstrip())
                if m := RAN.search(line):
                    runs[current].stages_run.append(m.group(1))
    except BaseException:
        proc.kill()  # an interrupted `make ablations` leaves no follower holding DVC's lock
        raise
    finally:
        proc.wait()
    if current:
        runs[current].seconds = time.monotonic() - started
    stopped = "killed" in last_line
    if stopped:
        dvc(root, "queue", "kill", *queued, check=False)
        dvc(root, "queue", "remove", "--queued", check=False)
    made = existing(root)
    for name in queued:  # one failed arm costs that arm: the others are collected and reported
        if name not in made:
            run = runs.setdefault(name, ArmRun(name))
            errors = [line for line in run.log if line.startswith("ERROR")]
            run.failure = (f"stopped: past {time_limit_s:.0f} s or silent for {silent_limit_s:.0f} s" if stopped
                           and not errors else (errors[0] if errors else "no experiment was made (dvc queue logs)"))
    return runs

#!/usr/bin/env bash
# Create (or refresh) the project's two virtual environments from the lock files.
#   .venv      the pipeline: torch, transformers, LLaMA-Factory, Dagster, decoders...
#   .venv-dvc  DVC and its S3 plugin, alone: DVC's hydra-core pins antlr4 4.9.3, which
#              breaks Dagster's asset-selection parser when the two share an environment.
# Each environment is rebuilt only when its requirement or lock file changed (stamp file),
# so a second run returns in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

quiet_pip() {
  # This machine's pip config lists local package folders that may be absent; drop that noise.
  "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}

ensure_env() {
  local dir="$1" requirements="$2" lock="$3"
  local want have=""
  want="$(cat "$requirements" "$lock" | sha256sum | cut -d' ' -f1)"
  [ -f "$dir/.fragmentforge-stamp" ] && have="$(cat "$dir/.fragmentforge-stamp")"
  if [ "$want" = "$have" ] && [ -x "$dir/bin/python" ]; then
    return 0
  fi
  echo "setup: building $dir from $requirements (constraints: $lock)"
  [ -x "$dir/bin/python" ] || "$PYTHON" -m venv "$dir"
  quiet_pip "$dir/bin/python" -m pip install --quiet --upgrade pip
  quiet_pip "$dir/bin/python" -m pip install --quiet -r "$requirements" -c "$lock"
  echo "$want" > "$dir/.fragmentforge-stamp"
}

ensure_env .venv requirements.in requirements.lock
ensure_env .venv-dvc requirements-dvc.in requirements-dvc.lock

# The library itself, editable (stages/fragmentforge), once per pyproject.toml.
library_stamp="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat .venv/.fragmentforge-library 2>/dev/null || true)" != "$library_stamp" ]; then
  echo "setup: installing the fragmentforge library (editable)"
  quiet_pip .venv/bin/python -m pip install --quiet --no-deps -e .
  echo "$library_stamp" > .venv/.fragmentforge-library
fi

# MA-Bench's review queue: the reviewers' decisions are an input of proxy_tasks, so the (empty)
# database must exist before the first run. Never overwritten.
if [ ! -f data/review/queue.duckdb ]; then
  PYTHONPATH="$PWD:$PWD/stages" .venv/bin/python -m fragmentforge.microactions.review init
fi

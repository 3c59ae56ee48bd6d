# FragmentForge: `make run` runs the pipeline on the embedded default data,
# `make test` runs the tests (`make test-fast` the fast tier), `make ui` serves the Dagster UI. Each sets itself up first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

VENV := .venv
PY := $(VENV)/bin/python
DVC := $(CURDIR)/.venv-dvc/bin/dvc
UI_HOST := 127.0.0.1
UI_PORT ?= 3000
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export PYTHONPATH := $(CURDIR):$(CURDIR)/stages

.PHONY: setup run test test-fast ui ablations repro push pull bench-noop bench-keyframes bench-scalers bench-tasks bench-training bench-image-memo bench-lanes bench-evaluate sweep-pretrain sweep-recipes clean

setup:
	@bash infra/setup.sh
	@mkdir -p $(DAGSTER_HOME) && cp infra/dagster.local.yaml $(DAGSTER_HOME)/dagster.yaml

run: setup
	@start=$$(date +%s); \
	$(PY) -m dagster_project.launch; \
	echo "make run: finished in $$(( $$(date +%s) - start )) s"; \
	$(PY) -m fragmentforge.outputs

# pytest exits 5 when it collected no test: that is a failure here, said plainly.
test: setup
	@bash infra/setup-browser.sh
	@rc=0; $(PY) -m pytest || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests"; exit 1; fi; exit $$rc

# The fast tier, for iteration: everything not marked slow (no stage runs end to end, no browser).
test-fast: setup
	@$(PY) -m pytest -m "not slow" -q

ui: setup
	@echo "Dagster UI on http://$(UI_HOST):$(UI_PORT)"
	$(VENV)/bin/dagster dev -m dagster_project.definitions -h $(UI_HOST) -p $(UI_PORT)

# Every paper's ablation table as DVC experiments on the last `make run` (ABLATION=name for one;
# `python -m fragmentforge.ablations --list` names them). Writes data/reports/ablations/.
ABLATION ?=
ablations: setup
	$(PY) -u -m fragmentforge.ablations $(ABLATION)

# The same stages through DVC (its own environment; stages run with the project's python).
repro: setup
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(DVC) repro

# Datasets and adapters to and from the DVC remote on S3 (python -m fragmentforge.dvc_remote setup ... first).
push pull: setup
	$(PY) -m fragmentforge.dvc_remote $@

# Keyframe extraction against ffmpeg's decode and a naive random-access baseline (on demand).
bench-keyframes: setup
	@command -v ffmpeg >/dev/null || { apt-get update -q && apt-get install -y -q ffmpeg; }
	$(PY) -m tests.benchmarks.bench_keyframes

# Fidelity (PSNR against a Lanczos reference) and cost of each stored-frame scaler (on demand).
bench-scalers: setup
	$(PY) -m tests.benchmarks.bench_scalers

# QA records generated per second and bytes per record, on the data of the last `make run`.
bench-tasks: setup
	$(PY) -m tests.benchmarks.bench_tasks

# Our training call against the bare `llamafactory-cli train` on the same data and recipe.
bench-training: setup
	$(PY) -m tests.benchmarks.bench_training

# Training with images worked on once (token counts, frozen-vision embeddings) against the plain path (needs a finished `make run`).
bench-image-memo: setup
	$(PY) -m tests.benchmarks.bench_image_memo

# Trainings and evaluations side by side (one thread each) against one at a time (needs a finished `make run`).
bench-lanes: setup
	$(PY) -m tests.benchmarks.bench_lanes

# No-op reruns of the Dagster launcher and of dvc repro (needs a finished `make run`).
bench-noop: setup
	$(PY) -m tests.benchmarks.bench_noop

# Batched evaluation against a one-question-at-a-time loop (needs a finished `make run`).
bench-evaluate: setup
	$(PY) -m tests.benchmarks.bench_evaluate

# Sizes and recipes of the tiny base's grounding pretraining, on held-out clips (on demand, ~20 min).
sweep-pretrain: setup
	$(PY) -m tests.benchmarks.sweep_pretrain

# LoRA recipes on a validation split of the training videos (on demand, needs a finished `make run`).
sweep-recipes: setup
	$(PY) -m tests.benchmarks.sweep_recipes

clean:
	rm -rf data/synthetic data/raw data/frames data/tasks data/validation data/exports data/models \
		data/adapters data/train_work data/model_cache data/eval data/eval_cache data/reports data/metrics \
		data/results.duckdb $(DAGSTER_HOME)

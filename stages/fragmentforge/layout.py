"""Where every output lives. Folders come from params.yaml's `paths:`; the file names inside
them are declared here, once, and every stage, the code location and the tests ask this module."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The project this library belongs to: it is installed editable from <project>/stages/fragmentforge,
# and reads the project's sql/ and its own source (for code versions) from there.
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# synthetic_dir
CLIPS, LABELS = "clips", "labels.json"
# raw_dir
MANIFEST, INGEST_SUMMARY = "manifest.parquet", "summary.json"
# the key of a video's ground truth that holds its description manifest's events (descriptions/manifest.py)
DESCRIBED = "description"
# frames_dir
KEYFRAMES, KEYFRAME_STATUS = "keyframes.parquet", "status.parquet"
# motion_dir
DESCRIPTORS, DESCRIPTOR_STATUS = "descriptors.parquet", "status.parquet"
# teacher_dir: labels, the reply cache, the batch counts
TEACHER_LABELS, TEACHER_CACHE, TEACHER_STATS, UNITS = "labels.parquet", "cache", "stats.json", "units"
# tasks_dir, validation_dir, exports_dir
QA, TASKS_SUMMARY, REVIEW, OPEN_QUESTIONS = "qa.parquet", "summary.json", "review.parquet", "open_ended.parquet"
DESCRIPTIONS = "descriptions.parquet"  # Tarsier2's description records
GATE_REPORT = "tasks_gate.json"
LLAMAFACTORY = "llamafactory"
# adapters_dir/<base>/<variant>, eval_dir/<base>/<variant>, reports_dir/<base>
TRAINING_RECORD = "training.json"
RUN, PREDICTIONS, FINEAGENT, OPEN_SCORES = "run.json", "predictions.parquet", "fineagent.parquet", "open_ended.parquet"
DESCRIPTION_SCORES = "descriptions.parquet"  # eval_dir/<base>/<variant>: each description and its AutoDQ
CHART, REPORT_MD, REPORT_HTML = "chart.png", "report.md", "report.html"
# metrics_dir/<base>: what `dvc metrics` and `dvc plots` read
TRAINING_METRICS, EVALUATION_METRICS = "training.json", "evaluation.json"
LOSS_CURVES, TASK_ACCURACY = "loss", "task_accuracy.csv"
# ablations_dir (written by `make ablations`), and reports_dir/ablations
ABLATIONS_DB, ABLATIONS_REPORT = "ablations.duckdb", "ablations"


@dataclass(frozen=True)
class Layout:
    root: Path
    paths: object  # PathsParams

    def dir(self, name: str) -> Path:
        return self.root / getattr(self.paths, name)

    @property
    def manifest(self) -> Path:
        return self.dir("raw_dir") / MANIFEST

    @property
    def keyframes(self) -> Path:
        return self.dir("frames_dir") / KEYFRAMES

    @property
    def qa(self) -> Path:
        return self.dir("tasks_dir") / QA

    @property
    def gate_report(self) -> Path:
        return self.dir("validation_dir") / GATE_REPORT

    @property
    def llamafactory(self) -> Path:
        return self.dir("exports_dir") / LLAMAFACTORY

    def adapter(self, base: str, variant: str) -> Path:
        return self.dir("adapters_dir") / base / variant

    def evaluation(self, base: str, variant: str) -> Path:
        return self.dir("eval_dir") / base / variant

    def report(self, base: str) -> Path:
        return self.dir("reports_dir") / base


def layout(params, root: Path) -> Layout:
    return Layout(Path(root), params.paths)

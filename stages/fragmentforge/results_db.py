"""The results database (DuckDB): SQL lives in sql/*.sql, values are bound, never formatted in."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from fragmentforge.common import exclusive
from fragmentforge.layout import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "sql"
DATA_DEPS = ("sql",)  # the queries below, for the import graph (fragmentforge.lineage)


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def load_manifest(conn, manifest_path: Path) -> dict[str, int]:
    conn.execute(sql("load_manifest"), {"manifest_path": str(manifest_path)})
    return dict(conn.execute(sql("manifest_status_counts")).fetchall())


def record_task_validation(conn, report: dict) -> None:
    """Replace the gate's rows for the records it checked (its report, tasks_gate.json)."""
    conn.execute(sql("create_task_validation"))
    conn.execute("BEGIN TRANSACTION")
    conn.execute(sql("delete_task_validation"), {"data_hash": report["data_hash"]})
    for o in report["expectations"]:
        conn.execute(sql("insert_task_validation"), {
            "data_hash": report["data_hash"], "records": report["records"], "check_name": o["check"],
            "expectation": o["expectation"], "column_name": o["column"], "success": o["success"],
            "unexpected_count": o["unexpected_count"], "observed": o["observed"]})
    conn.execute("COMMIT")


TRAINING_RUN_COLUMNS = (
    "base_model", "base_hash", "variant", "stage", "parent", "tune", "datasets", "fingerprint", "adapter_hash",
    "resumed_from", "device", "steps", "epochs", "final_loss", "train_loss", "train_runtime_s", "wall_seconds",
    "samples_per_second", "tokens_per_second", "tokens_seen", "trainable_parameters", "total_parameters",
    "peak_rss_bytes", "peak_cuda_bytes", "finished_at", "letter_prior_loss", "at_letter_prior")
LOG_KEYS = {"current_steps", "total_steps", "epoch", "loss", "lr", "elapsed_time"}


def record_training(conn, record: dict, log_rows: list[dict]) -> None:
    """Replace the rows of one (base model, variant) with its latest finished training."""
    import json

    conn.execute(sql("create_training"))
    conn.execute("BEGIN TRANSACTION")
    key = {"base_model": record["base_model"], "variant": record["variant"]}
    conn.execute(sql("delete_training"), key)
    conn.execute(sql("delete_training_log"), key)
    row = {k: record.get(k) for k in TRAINING_RUN_COLUMNS}
    row["datasets"] = ",".join(record.get("datasets") or ())
    conn.execute(sql("insert_training_run"), row)
    for entry in log_rows:
        conn.execute(sql("insert_training_log"), {
            "base_model": record["base_model"], "variant": record["variant"], "fingerprint": record["fingerprint"],
            "step": entry.get("current_steps"), "total_steps": entry.get("total_steps"), "epoch": entry.get("epoch"),
            "loss": entry.get("loss"), "learning_rate": entry.get("lr"), "elapsed": entry.get("elapsed_time"),
            "extra": json.dumps({k: v for k, v in entry.items() if k not in LOG_KEYS})})
    conn.execute("COMMIT")


@contextmanager
def locked_connection(db_path: Path):
    """A connection held under an exclusive file lock, so two writers (parallel runs, DVC and
    Dagster at once) queue instead of failing on DuckDB's own lock or interleaving."""
    import duckdb

    with exclusive(db_path.with_name(db_path.name + ".lock")):
        with duckdb.connect(str(db_path)) as conn:
            yield conn


def load_finebench(conn, qa_path: Path) -> None:
    """The benchmark's FineBench questions and the views over their answers (finebench_answers,
    finebench_breakdown)."""
    conn.execute(sql("create_evaluation"))
    conn.execute(sql("create_fineagent"))
    conn.execute(sql("load_finebench_questions"), {"qa_path": str(qa_path)})
    conn.execute(sql("create_finebench_views"))


def record_evaluation(conn, run: dict, predictions: list[dict], metrics: list[dict], assisted=None,
                      opened=None, described=None) -> None:
    """Replace one run's rows in runs, predictions, metrics, fineagent_predictions (`assisted`:
    an Arrow table of its FineAgent predictions), open_ended_scores (`opened`: its MA-Bench
    open-ended answers) and description_scores (`described`), in one transaction."""
    import pyarrow as pa

    conn.execute(sql("create_evaluation"))
    conn.execute(sql("create_fineagent"))
    conn.execute(sql("create_open_ended"))
    conn.execute(sql("create_descriptions"))
    conn.execute("BEGIN TRANSACTION")
    for table in ("runs", "predictions", "metrics", "fineagent_predictions"):
        conn.execute(sql(f"delete_{table}"), {"run_id": run["run_id"]})
    conn.execute(sql("delete_open_ended_scores"), {"run_id": run["run_id"]})
    if opened is not None and opened.num_rows:
        conn.register("open_batch", opened)
        conn.execute(sql("insert_open_ended_scores"))
        conn.unregister("open_batch")
    conn.execute(sql("delete_description_scores"), {"run_id": run["run_id"]})
    if described is not None and described.num_rows:
        conn.register("description_batch", described)
        conn.execute(sql("insert_description_scores"))
        conn.unregister("description_batch")
    conn.execute(sql("insert_run"), {"family": None, **run})  # runs written before the family was recorded
    if predictions:
        batch = pa.Table.from_pylist(predictions)  # noqa: F841 (read by name in the SQL)
        conn.register("predictions_batch", batch)
        conn.execute(sql("insert_predictions"))
        conn.unregister("predictions_batch")
    if assisted is not None and assisted.num_rows:
        conn.register("fineagent_batch", assisted)
        conn.execute(sql("insert_fineagent_predictions"))
        conn.unregister("fineagent_batch")
    # runs written before the collapse check and the answer prior
    spread = {"top_letter": None, "top_share": None, "entropy_bits": None, "answer_prior": None}
    for metric in metrics:
        conn.execute(sql("insert_metric"), {**spread, **metric})
    conn.execute("COMMIT")

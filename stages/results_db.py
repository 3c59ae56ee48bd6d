"""The results database (DuckDB): SQL lives in sql/*.sql, values are bound, never formatted in."""
from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def load_manifest(conn, manifest_path: Path) -> dict[str, int]:
    conn.execute(sql("load_manifest"), {"manifest_path": str(manifest_path)})
    return dict(conn.execute(sql("manifest_status_counts")).fetchall())


def record_task_validation(conn, data_hash: str, gate) -> None:
    """Replace the gate's rows for these records (idempotent for a rerun on the same data)."""
    conn.execute(sql("create_task_validation"))
    conn.execute("BEGIN TRANSACTION")
    conn.execute(sql("delete_task_validation"), {"data_hash": data_hash})
    for o in gate.outcomes:
        conn.execute(sql("insert_task_validation"), {
            "data_hash": data_hash, "records": gate.records, "check_name": o.check, "expectation": o.expectation,
            "column_name": o.column, "success": o.success, "unexpected_count": o.unexpected_count,
            "observed": o.observed})
    conn.execute("COMMIT")

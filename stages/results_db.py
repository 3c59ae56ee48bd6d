"""The results database (DuckDB): SQL lives in sql/*.sql, values are bound, never formatted in."""
from __future__ import annotations

from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def load_manifest(conn, manifest_path: Path) -> dict[str, int]:
    conn.execute(sql("load_manifest"), {"manifest_path": str(manifest_path)})
    return dict(conn.execute(sql("manifest_status_counts")).fetchall())

"""DAG node `benchmark_report`: a base model's results loaded into DuckDB, and its report.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.report`.
"""
from fragmentforge.report import main

if __name__ == "__main__":
    main()

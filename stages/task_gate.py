"""DAG node `task_gate`: the Great Expectations gate over the QA records (non-zero exit on failure).

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.tasks.gate`.
"""
from fragmentforge.tasks.gate import main

if __name__ == "__main__":
    main()

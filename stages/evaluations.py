"""DAG node `evaluations`: every base model and variant on the benchmark.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.evaluate.evaluations`.
"""
from fragmentforge.evaluate.evaluations import main

if __name__ == "__main__":
    main()

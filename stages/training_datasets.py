"""DAG node `training_datasets`: LLaMA-Factory datasets from records that passed the gate.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.tasks.datasets`.
"""
from fragmentforge.tasks.datasets import main

if __name__ == "__main__":
    main()

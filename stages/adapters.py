"""DAG node `adapters`: one LoRA adapter per (base model, training variant).

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.training.adapters`.
"""
from fragmentforge.training.adapters import main

if __name__ == "__main__":
    main()

"""DAG node `base_models`: the embedded tiny base model, built into the registry.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.models.build`.
"""
from fragmentforge.models.build import main

if __name__ == "__main__":
    main()

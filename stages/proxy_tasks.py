"""DAG node `proxy_tasks`: QA records from every discovered task generator.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.tasks.generate`.
"""
from fragmentforge.tasks.generate import main

if __name__ == "__main__":
    main()

"""DAG node `synthetic_clips`: the synthetic world rendered into H.264 clips with per-frame ground truth.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.synthetic.clips`.
"""
from fragmentforge.synthetic.clips import main

if __name__ == "__main__":
    main()

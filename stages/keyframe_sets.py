"""DAG node `keyframe_sets`: speed variants and motion-guided keyframe sets of every ok video.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.keyframes.node`.
"""
from fragmentforge.keyframes.node import main

if __name__ == "__main__":
    main()

"""DAG node `motion_descriptors`: per-body-part optical-flow descriptors of every video with keypoints.

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.descriptors`.
"""
from fragmentforge.descriptors import main

if __name__ == "__main__":
    main()

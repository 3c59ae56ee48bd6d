"""DAG node `teacher_labels`: what the teacher labels (MA-Bench's structured micro-action captions).

The same name in dvc.yaml and in Dagster; the work is in `fragmentforge.teacher_labels`.
"""
from fragmentforge.teacher_labels import main

if __name__ == "__main__":
    main()

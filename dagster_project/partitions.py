"""One partition per base model: training, evaluation and the report run per model, and the
registry sensor adds a partition when a new model lands."""
from dagster import DynamicPartitionsDefinition

BASE_MODELS = DynamicPartitionsDefinition(name="base_models")
# Assets that open the results database take a slot in this pool; dagster.yaml sets its
# limit to one, so parallel partitions queue instead of meeting DuckDB's file lock.
RESULTS_DB_POOL = "results_db"

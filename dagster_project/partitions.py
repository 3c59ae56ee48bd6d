"""One partition per base model: training, evaluation and the report run per model, and the
registry sensor adds a partition when a new model lands."""
from dagster import DynamicPartitionsDefinition

BASE_MODELS = DynamicPartitionsDefinition(name="base_models")
# Assets that open the results database take a slot in this pool; dagster.yaml sets its
# limit to one, so parallel partitions queue instead of meeting DuckDB's file lock.
RESULTS_DB_POOL = "results_db"
# ablation_arm and ablation_report take a slot in this one (limit one, as every pool): DVC runs
# one experiment queue per workspace, and the ablations database has one writer at a time.
ABLATIONS_POOL = "ablations"

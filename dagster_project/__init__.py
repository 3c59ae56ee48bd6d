"""FragmentForge's Dagster code location (definitions in `definitions.py`)."""

"""One module per task; see stages.tasks.registry."""

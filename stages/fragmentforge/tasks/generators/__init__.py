"""Task generators, one module per task, named by its file (see fragmentforge.tasks.registry)."""

"""FragmentForge pipeline stages: pure Python, no orchestrator imports."""

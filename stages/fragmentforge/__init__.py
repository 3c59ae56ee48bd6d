"""FragmentForge's library: everything the DAG nodes in stages/ call."""

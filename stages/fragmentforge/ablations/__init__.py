"""Ablations: each paper's ablation table, from named sets of param overrides run as DVC
experiments (`make ablations`). One YAML file per table in `tables/`; `spec` reads them,
`experiments` runs them through `dvc exp`, `collect` brings each arm's predictions back from
DVC's cache, `cells` computes the table and `report` writes it."""

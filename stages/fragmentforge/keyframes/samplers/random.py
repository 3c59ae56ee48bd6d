"""Random: n distinct frames drawn uniformly from the whole stream (Table 6's weakest)."""
from __future__ import annotations


def pick(view, n, rng):
    return sorted(int(i) for i in rng.choice(view.length, size=n, replace=False))

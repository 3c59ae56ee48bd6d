"""AutoDQ-style description quality (Tarsier2 §4): events of one description checked against the other.

Recall is the share of the reference's events that the prediction entails; precision the share
of the prediction's events that the reference entails; F1 their harmonic mean. A judge labels
each event entailment, neutral or contradiction; as in Tarsier's own evaluation script, only
entailment counts (neutral and contradiction score alike). Unlike that script, a description
with no events scores 0, not 1.

The ground-truth judge of the synthetic worlds needs no model: the reference's events are the
world's event list (with their times), the prediction's are its sentences read back
(events.read_events). A predicted event is entailed when it is matched to a reference event of
the same person and action, by the largest matching that never puts two events in the order
opposite to the one they happened in; a same-named event left unmatched is a contradiction
(stated out of order), anything else neutral. So a description that swaps two events loses a match.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from fragmentforge.descriptions.events import Event, read_events

ENTAILMENT, NEUTRAL, CONTRADICTION = "entailment", "neutral", "contradiction"
MAX_EXACT_EVENTS = 14  # the order-aware matching is exact up to this many reference events


@dataclass(frozen=True)
class DQ:
    recall: float
    precision: float
    ref_events: int
    pred_events: int

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def from_judgements(ref_labels: list[str], pred_labels: list[str]) -> DQ:
    """ref_labels: each reference event against the prediction; pred_labels: each predicted event
    against the reference."""
    share = lambda labels: sum(label == ENTAILMENT for label in labels) / len(labels) if labels else 0.0  # noqa: E731
    return DQ(share(ref_labels), share(pred_labels), len(ref_labels), len(pred_labels))


def delta_filter(chosen: DQ, rejected: DQ, delta: float) -> list[str]:
    """Tarsier2's pair filter: the conditions a (chosen, rejected) pair fails; empty keeps it.
    Keep when ΔDQ_R >= 0, ΔDQ_P >= 0 and ΔDQ_R + ΔDQ_P >= delta (Δ = chosen - rejected)."""
    d_recall, d_precision = chosen.recall - rejected.recall, chosen.precision - rejected.precision
    failed = []
    if d_recall < -1e-12:
        failed.append("delta_recall<0")
    if d_precision < -1e-12:
        failed.append("delta_precision<0")
    if d_recall + d_precision < delta - 1e-12:
        failed.append("sum<delta")
    return failed


def match(reference: list[Event], predicted: list[tuple[str, str] | None]) -> dict[int, int]:
    """predicted index -> reference index: the most same-(who, action) pairs such that no two
    matched predictions state in one order what happened, one wholly before the other, in the other."""
    if len(reference) > MAX_EXACT_EVENTS:
        return _in_time_order(reference, predicted)
    keys = [e.key for e in reference]
    before = [[b.end_s <= a.start_s for b in reference] for a in reference]  # before[a][b]: b ends before a starts

    @lru_cache(maxsize=None)
    def best(j: int, used: int) -> tuple[int, tuple]:
        if j == len(predicted):
            return 0, ()
        options = [best(j + 1, used)]
        for b, key in enumerate(keys):
            if predicted[j] == key and not used >> b & 1 and not any(used >> a & 1 and before[a][b]
                                                                     for a in range(len(keys))):
                count, pairs = best(j + 1, used | 1 << b)
                options.append((count + 1, ((j, b),) + pairs))
        return max(options, key=lambda o: o[0])

    return dict(best(0, 0)[1])


def _in_time_order(reference: list[Event], predicted) -> dict[int, int]:
    """Longest common subsequence against the reference in time order: for very long lists."""
    ref = sorted(range(len(reference)), key=lambda b: (reference[b].start_s, reference[b].end_s))
    n, m = len(predicted), len(ref)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for j in range(n - 1, -1, -1):
        for k in range(m - 1, -1, -1):
            same = predicted[j] == reference[ref[k]].key
            table[j][k] = max(table[j + 1][k], table[j][k + 1], table[j + 1][k + 1] + 1 if same else 0)
    out, j, k = {}, 0, 0
    while j < n and k < m:
        if predicted[j] == reference[ref[k]].key and table[j][k] == table[j + 1][k + 1] + 1:
            out[j], j, k = ref[k], j + 1, k + 1
        elif table[j + 1][k] >= table[j][k + 1]:
            j += 1
        else:
            k += 1
    return out


def ground_truth_labels(reference: list[Event], prediction: str) -> tuple[list[str], list[str]]:
    """(reference events' labels, predicted events' labels) by the world's event list."""
    predicted = read_events(prediction)
    matched = match(reference, predicted)
    ref_keys = {e.key for e in reference}
    pred_labels = [ENTAILMENT if j in matched else CONTRADICTION if p in ref_keys else NEUTRAL
                   for j, p in enumerate(predicted)]
    hit = set(matched.values())
    pred_keys = {p for p in predicted if p is not None}
    ref_labels = [ENTAILMENT if b in hit else CONTRADICTION if e.key in pred_keys else NEUTRAL
                  for b, e in enumerate(reference)]
    return ref_labels, pred_labels


def ground_truth_dq(reference: list[Event], prediction: str) -> DQ:
    return from_judgements(*ground_truth_labels(reference, prediction))

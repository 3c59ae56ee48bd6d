"""AutoDQ through the judge interface (teacher/): events extracted from each description, then
each event checked against the other description, as Tarsier's evaluation asks a model to.

Two request kinds, each a prompt file: `description_events` (the events a description states,
at most MAX_EVENTS) and `event_entailment` (entailment, neutral or contradiction for each
numbered event). A reference that comes with its events (the world's list, DREAM-1K's `events`)
is not extracted again. The ground-truth judge answers both from the world's event list:
extraction is the description's sentences, entailment the order-aware matching of autodq.py.
A reply that labels the wrong number of events quarantines its item, with the reason.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from fragmentforge.descriptions.autodq import CONTRADICTION, DQ, ENTAILMENT, NEUTRAL, from_judgements, ground_truth_labels
from fragmentforge.descriptions.events import Event, sentence, sentences
from fragmentforge.teacher.ground_truth import MissingAnnotation
from fragmentforge.teacher.request import TeacherRequest, prompt_text
from fragmentforge.teacher.run import answer_all, make_teacher

EVENTS_KIND, ENTAILMENT_KIND = "description_events", "event_entailment"
MAX_EVENTS = 12
EVENTS_SCHEMA = {"type": "object", "required": ["events"], "properties": {
    "events": {"type": "array", "maxItems": MAX_EVENTS, "items": {"type": "string", "minLength": 1}}}}
ENTAILMENT_SCHEMA = {"type": "object", "required": ["events"], "properties": {"events": {"type": "array", "items": {
    "type": "object", "required": ["event", "relationship"], "properties": {
        "event": {"type": "integer", "minimum": 1},
        "relationship": {"enum": [ENTAILMENT, NEUTRAL, CONTRADICTION]}}}}}}


@dataclass(frozen=True)
class Item:
    item_id: str
    prediction: str
    reference: str
    world_events: tuple[Event, ...] = ()  # the synthetic world's events (what the ground-truth judge reads)
    reference_events: tuple[str, ...] = ()  # the reference's events as stated; empty: extracted by the judge

    def stated_reference_events(self) -> tuple[str, ...]:
        return self.reference_events or tuple(sentence(e) for e in self.world_events)


def from_manifest(events) -> bool:
    """Whether the events are a manifest's own sentences rather than a world's."""
    return any(e.text for e in events)


def can_judge(events, settings) -> bool:
    """Whether the judge can score a description against these events: the ground-truth judge
    reads only a world's events, a model judge any reference."""
    return settings.kind != "ground_truth" or not from_manifest(events)


def item_for(item_id: str, prediction: str, reference: str, events) -> Item:
    """A record's item: a world's events go to the ground-truth judge; a manifest's sentences are
    the reference's stated events, which only a model judge can check (the ground-truth judge
    quarantines them, saying so)."""
    if from_manifest(events):
        return Item(item_id, prediction, reference, reference_events=tuple(e.text for e in events))
    return Item(item_id, prediction, reference, tuple(events))


@dataclass(frozen=True)
class Scored:
    item_id: str
    dq: DQ | None
    reason: str = ""
    ref_labels: tuple[str, ...] = ()
    pred_labels: tuple[str, ...] = ()
    label_source: str = ""


def _world(subject: dict) -> list[Event]:
    if not subject.get("world_events"):
        raise MissingAnnotation("this item has no event list from the world")
    return [Event(**e) for e in subject["world_events"]]


def gt_events(subject: dict) -> dict:
    return {"events": sentences(subject["description"])[:MAX_EVENTS]}


def gt_entailment(subject: dict) -> dict:
    world = _world(subject)
    if subject["direction"] == "recall":  # the world's events against the prediction
        labels = ground_truth_labels(world, subject["description"])[0]
    else:  # the prediction's events against the world's
        labels = ground_truth_labels(world, " ".join(subject["events"]))[1]
    return {"events": [{"event": k + 1, "relationship": label} for k, label in enumerate(labels)]}


ANSWERERS = {EVENTS_KIND: gt_events, ENTAILMENT_KIND: gt_entailment}


def _world_dicts(item: Item) -> list[dict]:
    return [asdict(e) for e in item.world_events]


def extraction(item_id: str, description: str, item: Item) -> TeacherRequest:
    return TeacherRequest(item_id, EVENTS_KIND, prompt_text(EVENTS_KIND, description=description, max_events=MAX_EVENTS),
                          EVENTS_SCHEMA, subject={"description": description, "world_events": _world_dicts(item)})


def entailment(item_id: str, direction: str, events: list[str], description: str, item: Item) -> TeacherRequest:
    listed = "\n".join(f"{k + 1}. {e}" for k, e in enumerate(events))
    return TeacherRequest(item_id, ENTAILMENT_KIND, prompt_text(ENTAILMENT_KIND, description=description, events=listed),
                          ENTAILMENT_SCHEMA, subject={"direction": direction, "events": events, "description": description,
                                                      "world_events": _world_dicts(item)})


def _labels(result, count: int) -> tuple[list[str] | None, str]:
    if result.status != "ok":
        return None, result.reason
    got = {entry["event"]: entry["relationship"] for entry in result.value["events"]}
    if sorted(got) != list(range(1, count + 1)):
        return None, f"malformed reply: labels events {sorted(got)} of 1..{count}"
    return [got[k] for k in range(1, count + 1)], ""


def score(items: list[Item], settings, cache_dir: Path | None) -> tuple[list[Scored], dict]:
    """One Scored per item, in order (a quarantined one has dq None and its reason), and the
    judge's request counts over both rounds."""
    teacher = make_teacher(settings, ANSWERERS)
    totals: dict = {}

    def ask(requests: list[TeacherRequest]) -> dict:
        results, stats = answer_all(requests, teacher, cache_dir, settings) if requests else ([], None)
        for key, value in (stats.as_dict().items() if stats else ()):
            if key != "hit_rate":
                totals[key] = totals.get(key, 0) + value
        return {r.item_id: r for r in results}

    try:
        first = ask([extraction(f"pred:{i.item_id}", i.prediction, i) for i in items if i.prediction.strip()]
                    + [extraction(f"ref:{i.item_id}", i.reference, i) for i in items if not i.stated_reference_events()])
        events, problems = {}, {}
        for item in items:
            pred = first.get(f"pred:{item.item_id}")
            ref = first.get(f"ref:{item.item_id}")
            if pred is not None and pred.status != "ok" or ref is not None and ref.status != "ok":
                problems[item.item_id] = (pred if pred is not None and pred.status != "ok" else ref).reason
                continue
            events[item.item_id] = (list(ref.value["events"]) if ref else list(item.stated_reference_events()),
                                    list(pred.value["events"]) if pred else [])
        second = ask([entailment(f"{direction}:{item.item_id}", direction, evs, text, item)
                      for item in items if item.item_id in events
                      for direction, evs, text in (("recall", events[item.item_id][0], item.prediction),
                                                   ("precision", events[item.item_id][1], item.reference)) if evs])
    finally:
        teacher.close()
    out = []
    for item in items:
        if item.item_id in problems:
            out.append(Scored(item.item_id, None, problems[item.item_id], label_source=teacher.label_source))
            continue
        ref_events, pred_events = events[item.item_id]
        labels, reasons = [], []
        for direction, evs in (("recall", ref_events), ("precision", pred_events)):
            got, reason = _labels(second[f"{direction}:{item.item_id}"], len(evs)) if evs else ([], "")
            labels.append(got)
            reasons.append(reason)
        if None in labels:
            out.append(Scored(item.item_id, None, "; ".join(r for r in reasons if r), label_source=teacher.label_source))
            continue
        out.append(Scored(item.item_id, from_judgements(*labels), ref_labels=tuple(labels[0]), pred_labels=tuple(labels[1]),
                          label_source=teacher.label_source))
    return out, totals

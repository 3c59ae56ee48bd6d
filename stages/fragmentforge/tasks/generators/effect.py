"""Effect (FineVidBench scene level): what changed for the named object, from the effect block
of the ground truth (position, distance, count, completion, camera). "Not sure" is always
offered; videos without an effect annotation get no questions."""
from fragmentforge.tasks.record import NOT_SURE, Draft

LEVEL, COLUMN, ORDER = "scene", "Effect", 2
DESCRIPTION = "What changed for the named object (position, distance, count, completion, camera), from the ground truth."

POSITION = {
    "left": "It moved to the left", "right": "It moved to the right", "up": "It moved up",
    "down": "It moved down", "closer to the camera": "It came closer to the camera",
    "farther from the camera": "It moved away from the camera", "stationary": "It stayed where it was",
}
DISTANCE = {"closer": "They ended up closer together", "farther": "They ended up farther apart",
            "unchanged": "The distance between them stayed about the same"}
COUNT = {1: "More objects are visible at the end", -1: "Fewer objects are visible at the end",
         0: "The number of visible objects did not change"}
COMPLETION = {True: "The action was carried out to the end", False: "The action was attempted but not completed"}
CAMERA = {True: "The camera moved, so the view shifted", False: "The camera stayed still"}
QUESTIONS = {
    "position": ("After the action takes place, how has the position of the {a} changed?",
                 "Where did the {a} end up compared with where it started?"),
    "distance": ("How did the distance between the {a} and the {b} change during the action?",
                 "Compared with the start, are the {a} and the {b} closer or farther apart at the end?"),
    "count": ("After the action takes place, what changed in the number of visible objects?",),
    "completion": ("Was the action completed, judging by the end state?",
                   "Did the attempt succeed by the end of the video?"),
    "camera": ("After the action takes place, what changes occur in the field of vision?",
               "Did the viewpoint change during the video?"),
}
PRIORITY = {"position": "position", "physical": "position", "distance": "distance", "quantity": "count",
            "completion": "completion", "camera": "camera"}


def _answers(effect: dict, names: list) -> dict:
    """aspect -> (correct text, candidate texts)."""
    out = {}
    first = effect["position_change"].get(names[0]) if names else None
    if first:
        out["position"] = (POSITION[first["direction"]], list(POSITION.values()))
    if effect.get("distance_change") and len(names) >= 2:
        out["distance"] = (DISTANCE[effect["distance_change"]["change"]], list(DISTANCE.values()))
    delta = effect["count_change"]["delta"]
    if effect.get("type") in ("quantity",) or delta:
        out["count"] = (COUNT[(delta > 0) - (delta < 0)], list(COUNT.values()))
    if effect.get("type") == "completion":
        out["completion"] = (COMPLETION[bool(effect["completed"])], list(COMPLETION.values()) + ["Nothing was attempted"])
    out["camera"] = (CAMERA[bool(effect["camera_moved"])], list(CAMERA.values()) + ["The camera zoomed in"])
    return out


def generate(ctx, env):
    truth = ctx.truth
    if not truth or not truth.get("effect"):
        return
    s = env.scene_set(ctx)
    if s is None:
        return
    rng = env.rng
    names = [o["name"] for o in truth.get("objects", [])]
    answers = _answers(truth["effect"], names)
    first = PRIORITY.get(truth["effect"].get("type"))
    rest = sorted(a for a in answers if a != first)
    rng.shuffle(rest)
    aspects = ([first] if first in answers else []) + rest
    for aspect in aspects[: env.options.per_unit]:
        correct, candidates = answers[aspect]
        distractors = rng.sample([c for c in candidates if c != correct], 2) + [NOT_SURE]
        question = rng.choice(QUESTIONS[aspect]).format(a=names[0] if names else "object",
                                                        b=names[1] if len(names) > 1 else "other object")
        yield Draft("normal", list(s.paths), question, correct, distractors,
                    {"n": s.n, "aspect": aspect, "target": names[0] if names else None,
                     "effect_type": truth["effect"].get("type"), "set_id": s.set_id, "label_source": "ground truth"})

"""Localization (SF²T; FineVidBench's Meaning of Order): in which shown frame does the target
first / last appear, and in which frames does it exist. Visibility comes from ground truth;
videos without it get no questions."""
from fragmentforge.tasks.record import Draft, ordinal

LEVEL, COLUMN, ORDER = "fragment", "MoO", 2
DESCRIPTION = "First / last appearance of an object, or the frames that contain it, from ground-truth visibility."

NONE = "It does not appear in any of them"
PHRASES = {
    "first": ("In these frames, in which frame does the {t} first appear?",
              "Which frame is the first one that shows the {t}?",
              "Looking at the frames in order, where is the {t} seen for the first time?"),
    "last": ("In these frames, in which frame does the {t} last appear?",
             "Which frame is the last one that shows the {t}?",
             "Looking at the frames in order, where is the {t} seen for the last time?"),
    "exists": ("In which of these frames can the {t} be seen?",
               "Which frames contain the {t}?",
               "Select the frames in which the {t} is present."),
}


def frame_text(i: int) -> str:
    return f"The {ordinal(i)} frame"


def subset_text(indices) -> str:
    if not indices:
        return "None of the frames"
    numbers = [str(i + 1) for i in sorted(indices)]
    return f"Frame {numbers[0]} only" if len(numbers) == 1 else f"Frames {', '.join(numbers)}"


def generate(ctx, env):
    truth, rng = ctx.truth, env.rng
    if truth is None or not truth.get("objects"):
        return
    names = [o["name"] for o in truth["objects"]]
    for s in env.fragment_sets(ctx):
        if s.n < 3 or any(pos != int(pos) or int(pos) >= len(truth["frames"]) for pos in s.positions):
            continue  # synthesized in-between frames have no ground truth of their own
        for _ in range(env.options.per_unit):
            k = rng.randrange(len(names))
            visible = [bool(truth["frames"][int(pos)]["objects"][k]["visible"]) for pos in s.positions]
            seen = [i for i, v in enumerate(visible) if v]
            kind = rng.choice(("first", "last", "exists"))
            if kind == "exists":
                correct = subset_text(seen)
                near = [subset_text(sorted(set(seen) ^ {i})) for i in range(s.n)]  # one frame off
                distractors = rng.sample(near, 3)
            else:
                candidates = [frame_text(i) for i in range(s.n)] + [NONE]
                correct = NONE if not seen else frame_text(seen[0] if kind == "first" else seen[-1])
                distractors = rng.sample([c for c in candidates if c != correct], 3)
            yield Draft(env.params.fragment_variant, list(s.paths), rng.choice(PHRASES[kind]).format(t=names[k]),
                        correct, distractors,
                        {"n": s.n, "kind": kind, "target": names[k], "visible": visible,
                         "positions": list(s.positions), "set_id": s.set_id, "label_source": "ground truth"})

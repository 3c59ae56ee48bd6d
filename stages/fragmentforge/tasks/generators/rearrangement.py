"""Rearrangement (SF²T; FineVidBench): which order of the shown (shuffled) frames restores the
action? An option lists shown-frame numbers in time order; distractors include near misses
(the answer with two neighbours swapped) and the order as shown."""
from fragmentforge.tasks.generators.disorder import distinct_frames, shuffled_order
from fragmentforge.tasks.record import Draft

LEVEL, COLUMN, ORDER = "fragment", "Rearr", 5
DESCRIPTION = "Which order of the shown (shuffled) frames restores the action."
CHECK_DESCRIPTION = "Rearrangement answers are permutations that restore time order."

PHRASES = (
    "These frames come from one video of an action, but their order may have been mixed up. "
    "Which sequence of frame numbers puts them back in the order the action happened?",
    "The frames are shuffled. Which option lists them in their original order?",
    "Reorder the frames to follow the action: which sequence is right?",
)


def order_text(order) -> str:
    return ", ".join(str(i) for i in order)


def generate(ctx, env):
    rng = env.rng
    for s in env.fragment_sets(ctx):
        if s.n < 3 or not distinct_frames(ctx, s):  # two frames have only one wrong order
            continue
        for _ in range(env.options.per_unit):
            shown = shuffled_order(rng, s.n)  # shown frame i is original frame shown[i]
            answer = [shown.index(t) + 1 for t in range(s.n)]  # shown numbers in time order
            correct = order_text(answer)
            near = []
            for i in range(s.n - 1):
                swapped = list(answer)
                swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
                near.append(order_text(swapped))
            distractors = rng.sample(near, min(2, len(near)))
            others = [order_text(range(1, s.n + 1))]
            while len(distractors) < 3:
                if others:
                    text = others.pop()
                else:
                    candidate = list(range(1, s.n + 1))
                    rng.shuffle(candidate)
                    text = order_text(candidate)
                if text != correct and text not in distractors:
                    distractors.append(text)
            yield Draft(env.params.fragment_variant, [s.paths[i] for i in shown], rng.choice(PHRASES), correct,
                        distractors,
                        {"n": s.n, "permutation": shown, "answer_order": answer,
                         "positions": [s.positions[i] for i in shown], "set_id": s.set_id,
                         "label_source": "timestamps"})


def check(record, media) -> bool:
    """The answer is a permutation of the shown frames that puts their positions in time order."""
    positions = media.positions(record)
    try:
        order = [int(x) for x in str(record.answer_text).split(",")]
    except ValueError:
        return False
    return (sorted(order) == list(range(1, len(positions) + 1)) and None not in positions
            and all(positions[a - 1] < positions[b - 1] for a, b in zip(order, order[1:])))

"""Consistency verification (SF²T; FineVidBench's Frame Comparison): are two frames exactly
the same? The pair is one frame twice, two neighbouring frames of the pool (often nearly
identical) or two frames far apart; the answer comes from the frames' bytes."""
from dataclasses import dataclass

from fragmentforge.config.schema import check_default
from fragmentforge.tasks.record import NO, NOT_SURE, YES, Draft
from fragmentforge.tasks.registry import TaskOptions

LEVEL, COLUMN, ORDER = "fragment", "FCmp", 3
DESCRIPTION = "Whether two frames are exactly the same (one frame twice, neighbours, or far apart)."
CHECK_DESCRIPTION = "Consistency answers say Yes exactly when the two frames are byte-identical."

PHRASES = (
    "Are these two frames exactly the same?",
    "Look closely: are the two images identical in every detail?",
    "Is the second frame an exact copy of the first?",
    "Do the two frames match pixel for pixel?",
)


SPANS = ("random", "short", "long")


@dataclass(frozen=True)
class Options(TaskOptions):
    # The differing pairs of the train split (SF²T Table 7): random mixes neighbours and frames far
    # apart, short keeps neighbours only, long only frames that are not neighbours. The test split
    # is always random, so the benchmark does not move with it.
    span: str = check_default("random", lambda v: v in SPANS, "must be random, short or long")


def far_pairs(s, pool) -> list[tuple[int, int]]:
    """Index pairs of the set whose frames are not neighbours in the pool."""
    place = {pos: k for k, (pos, _) in enumerate(pool)}  # the pool holds every frame of the variant's sets
    return [(i, j) for i in range(s.n) for j in range(i + 1, s.n)
            if abs(place[s.positions[i]] - place[s.positions[j]]) > 1]


def generate(ctx, env):
    rng, variant = env.rng, env.params.fragment_variant
    span = env.options.span if ctx.split == "train" else "random"
    pool = ctx.pool(variant)
    for s in env.fragment_sets(ctx):
        for _ in range(env.options.per_unit):
            draw = rng.random()
            neighbours = draw < 0.75 if span == "random" else span == "short"
            if draw < 0.5:
                kind = "identical"
                i = rng.randrange(s.n)
                pair = [(s.positions[i], s.paths[i])] * 2
            elif neighbours and len(pool) >= 2:
                kind = "adjacent"
                i = rng.randrange(len(pool) - 1)
                pair = [pool[i], pool[i + 1]]
            else:
                kind = "distant"
                far = far_pairs(s, pool) if span == "long" else []
                i, j = rng.choice(far) if far else rng.sample(range(s.n), 2)
                pair = [(s.positions[i], s.paths[i]), (s.positions[j], s.paths[j])]
            if kind != "identical" and rng.random() < 0.5:
                pair.reverse()
            same = ctx.same_content(pair[0][1], pair[1][1])
            correct = YES if same else NO
            yield Draft(variant, [p for _, p in pair], rng.choice(PHRASES), correct,
                        [NO if same else YES, NOT_SURE],
                        {"n": 2, "kind": kind, "positions": [pos for pos, _ in pair], "set_id": s.set_id,
                         "label_source": "frame bytes"})


def check(record, media):
    """Yes exactly when the two frames have the same bytes (None: not a pair)."""
    frames = media.frames(record)
    if len(frames) != 2:
        return None
    return record.answer_text == (YES if media.same_bytes(*frames) else NO)

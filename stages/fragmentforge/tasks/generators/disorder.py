"""Disorder detection (SF²T; FineVidBench's Adjust-or-Not): do these frames need re-ordering?
Half the sets are shown shuffled. Sets with two identical frames are skipped: their order
cannot be seen."""
from fragmentforge.tasks.record import NO, NOT_SURE, YES, Draft

LEVEL, COLUMN, ORDER = "fragment", "AoN", 4
DESCRIPTION = "Whether the shown frames need re-ordering (half the sets are shown shuffled)."
CHECK_DESCRIPTION = "Disorder answers say Yes exactly when the shown order is not time order."

PHRASES = (
    "These frames come from one video of an action, but their order may have been mixed up. "
    "Do they need to be rearranged to show the action as it happened?",
    "Are these frames out of order, so that they must be re-sorted to follow the action?",
    "The frames below are from the same clip. Is their current order wrong?",
)


def shuffled_order(rng, n: int) -> list:
    order = list(range(n))
    while order == sorted(order):
        rng.shuffle(order)
    return order


def distinct_frames(ctx, s) -> bool:
    hashes = [ctx.frame_hash[p] for p in s.paths]
    return len(set(hashes)) == len(hashes)


def generate(ctx, env):
    rng = env.rng
    for s in env.fragment_sets(ctx):
        if not distinct_frames(ctx, s):
            continue
        for _ in range(env.options.per_unit):
            mixed = rng.random() < 0.5
            order = shuffled_order(rng, s.n) if mixed else list(range(s.n))
            yield Draft(env.params.fragment_variant, [s.paths[i] for i in order], rng.choice(PHRASES),
                        YES if mixed else NO, [NO if mixed else YES, NOT_SURE],
                        {"n": s.n, "permutation": order, "positions": [s.positions[i] for i in order],
                         "set_id": s.set_id, "label_source": "timestamps"})


def check(record, media):
    """Yes exactly when the positions read from the frame names are not in time order."""
    positions = media.positions(record)
    if None in positions:
        return False
    in_order = all(a <= b for a, b in zip(positions, positions[1:]))
    return record.answer_text == (NO if in_order else YES)

"""Speed (FineVidBench scene level): is the clip fast, slow, normal or not moving at all? One
question per speed variant, showing its fixed-stride window. Videos whose normal window
shows no change at all are skipped (their normal and still variants look the same)."""
from fragmentforge.tasks.record import Draft

LEVEL, COLUMN, ORDER = "scene", "Speed", 3
DESCRIPTION = "Fast, slow, normal or no speed: one question per speed variant's fixed-stride window."

ANSWERS = {"fast": "Fast", "slow": "Slow", "normal": "Normal speed", "still": "No speed: nothing moves"}
PHRASES = (
    "What is the rate of movement in the video?",
    "How fast does the action in these frames play?",
    "Judging by the frames, at what speed is the video playing?",
)


def generate(ctx, env):
    rng = env.rng
    normal = env.scene_set(ctx, "normal", "window")
    if normal is None or len({ctx.frame_hash[p] for p in normal.paths}) == 1:
        return
    for variant, correct in ANSWERS.items():
        s = env.scene_set(ctx, variant, "window")
        if s is None:
            continue
        for _ in range(env.options.per_unit):
            yield Draft(variant, list(s.paths), rng.choice(PHRASES), correct,
                        [text for v, text in ANSWERS.items() if v != variant],
                        {"n": s.n, "positions": list(s.positions), "set_id": s.set_id, "label_source": "variant"})

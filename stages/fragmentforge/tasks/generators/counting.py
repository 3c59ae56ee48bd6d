"""Counting (SF²T; FineVidBench's Frame Count): how many frames were shown, 2 to 6."""
from dataclasses import dataclass

from fragmentforge.tasks.record import Draft
from fragmentforge.tasks.registry import TaskOptions

LEVEL, COLUMN, ORDER = "fragment", "FCnt", 1
DESCRIPTION = "How many frames were shown (2 to 6)."
CHECK_DESCRIPTION = "Counting answers equal the number of frames shown."


@dataclass(frozen=True)
class Options(TaskOptions):
    sizes: tuple[int, ...] = (2, 3, 4, 5, 6)  # frame counts asked; a size without keyframe sets samples frames

    def problems(self):
        if not self.sizes or not all(1 <= n <= 16 for n in self.sizes):
            yield "sizes", "list frame counts, each in [1, 16]"


PHRASES = (
    "How many frames have you been given?",
    "Count the images above. How many frames are there?",
    "What is the number of frames in this input?",
    "How many separate frames were provided to you?",
)


def generate(ctx, env):
    rng, options = env.rng, env.options
    sets = env.fragment_sets(ctx)
    pool = ctx.pool(env.params.fragment_variant)
    sizes = options.sizes
    answers = list(range(min(2, *sizes), max(6, *sizes) + 1))
    units_per_size = max(1, max((sum(1 for s in sets if s.n == n) for n in sizes), default=1))
    for n in sizes:
        units = [list(zip(s.positions, s.paths)) for s in sets if s.n == n]
        if not units and len(pool) >= n:  # sizes without keyframe sets: sorted samples of the pool
            units = [sorted(rng.sample(pool, n)) for _ in range(units_per_size)]
        for unit in units:
            for _ in range(options.per_unit):
                yield Draft(env.params.fragment_variant, [p for _, p in unit], rng.choice(PHRASES), str(n),
                            rng.sample([str(a) for a in answers if a != n], 3),
                            {"n": n, "positions": [pos for pos, _ in unit], "label_source": "input"})


def check(record, media) -> bool:
    """The answer is the number of frames the record shows."""
    return record.answer_text == str(len(media.frames(record)))

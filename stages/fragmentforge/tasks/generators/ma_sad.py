"""MA-Bench SAD (yes/no): does one of the named person's body parts move this way? Parts the
teacher's caption says move clearly in one direction are asked about (the most moving first, up
to `per_unit` a span); half the questions ask the opposite direction. The judge's reflection
verification checks each against the measured descriptors."""
from fragmentforge.microactions import questions as q
from fragmentforge.microactions.tasking import shown
from fragmentforge.tasks.record import NO, YES

LEVEL, COLUMN, ORDER = "ma_bench", "SAD", 3
DESCRIPTION = ("MA-Bench spatial direction (yes/no, 50% chance): does a named person's most moving body part "
               "move the asked way?")
WAYS = {"right": "towards the right of the frame", "left": "towards the left of the frame",
        "up": "upwards", "down": "downwards"}


def generate(ctx, env):
    for s in shown(ctx, env):
        parts = [p for p in s.item.caption["parts"] if p["direction"] in q.OPPOSITE and p["amount"] in ("clear", "large")]
        parts.sort(key=lambda p: (p["amount"] != "large", p["part"]))
        for p in parts[:env.options.per_unit]:
            direction = p["direction"]
            asked, answer = (direction, YES) if env.rng.random() < 0.5 else (q.OPPOSITE[direction], NO)
            yield s.draft(f"Does their {p['part']} move {WAYS[asked]}?", answer, [NO if answer == YES else YES],
                          part=p["part"], asked=asked, claim=answer == YES)

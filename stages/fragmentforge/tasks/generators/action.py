"""Action (FineVidBench scene level): which action is shown? Distractors are the label's
visual synonyms first (actions that look alike), then other labels, all of them classes the
world shows."""
from fragmentforge.synthetic.actions import ACTIONS, VISUAL_SYNONYMS
from fragmentforge.tasks.record import Draft

LEVEL, COLUMN, ORDER = "scene", "Action", 1
DESCRIPTION = "Which action is shown (FineVidBench): the class template against its visual synonyms."

PHRASES = (
    "Which activity can be seen in the video?",
    "What is happening in these frames?",
    "Which of these best describes the action shown?",
    "What action is being performed?",
)
# Visual synonyms keyed by class template (SSv2 classes are templates).
SYNONYMS = {ACTIONS[name].template: tuple(ACTIONS[o].template for o in others)
            for name, others in VISUAL_SYNONYMS.items()}
VOCABULARY = tuple(sorted(a.template for a in ACTIONS.values()))


def class_text(template: str) -> str:
    return template.replace("[something]", "something").replace("[Something]", "Something")


def generate(ctx, env):
    if not ctx.template:
        return
    s = env.scene_set(ctx)
    if s is None:
        return
    rng = env.rng
    # Distractors come from the classes the world shows, so every option is also a right answer
    # somewhere: a class that is never right would be ruled out without looking.
    classes = set(env.label_pool) if len(env.label_pool) >= 4 else set(env.label_pool) | set(VOCABULARY)
    synonyms = [t for t in SYNONYMS.get(ctx.template, ()) if t != ctx.template and t in classes][:3]
    others = sorted(classes - {ctx.template} - set(synonyms))
    phrases = rng.sample(PHRASES, min(len(PHRASES), env.options.per_unit))
    for phrase in phrases:
        distractors = synonyms + rng.sample(others, 3 - len(synonyms))
        yield Draft("normal", list(s.paths), phrase, class_text(ctx.template), [class_text(t) for t in distractors],
                    {"n": s.n, "label": ctx.label, "template": ctx.template, "synonyms": [class_text(t) for t in synonyms],
                     "set_id": s.set_id, "label_source": "ground truth" if ctx.truth and "action" in ctx.truth else "manifest"})

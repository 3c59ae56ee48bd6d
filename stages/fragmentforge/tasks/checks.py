"""The gate's checks by name, with descriptions: read when Dagster loads the code location, so
this module stays light (no pandas, no Great Expectations). stages/fragmentforge/tasks/validate.py
implements them."""
from __future__ import annotations

from fragmentforge import plugins
from fragmentforge.tasks.registry import generators_or_errors

# Checks that hold for every task; each generator with a `check` adds "<task>_answers".
COMMON_CHECKS = {
    "schema": "Columns, types, required values, known tasks / levels / splits, unique ids.",
    "answer_in_options": "The answer letter points at an option whose text is answer_text.",
    "options_unique": "No option text appears twice in a question.",
    "split_leakage": "No video has records in both splits.",
    "frames_exist": "Every frame (or video) a record names exists.",
    "letter_balance": "Each answer letter's share per task is within the tolerance of uniform.",
    "task_counts": "Each enabled task has at least the minimum number of records per split.",
    "description_spans": "Every description's <frame: i-j> spans lie inside the frames shown, in order, where its "
                         "events' times put them.",
}


def gate_checks() -> dict[str, str]:
    """Every check's name and description. Used where the list is needed before any data (the
    Dagster check specs): a generator that fails to import gets a check that says so, and the
    gate itself then fails on it."""
    out = dict(COMMON_CHECKS)
    for name, module in generators_or_errors().items():
        if isinstance(module, plugins.PluginError):
            out[f"{name}_answers"] = f"BROKEN generator: {module}"
        elif hasattr(module, "check"):
            out[f"{name}_answers"] = getattr(module, "CHECK_DESCRIPTION", f"{name} answers follow from the record.")
    return out



"""Teachers and judges: models that label data or score answers, behind one interface.

A `TeacherRequest` says what is asked (a prompt file's text, images, a JSON schema for the
reply) and what it is about (`subject`, references into a world's annotations). The
OpenAI-compatible client (`client.py`) sends it to a chat-completions server; the
ground-truth teacher (`ground_truth.py`) answers the same request from the annotations.
Both go through `run.py`, which caches, counts and quarantines.
"""

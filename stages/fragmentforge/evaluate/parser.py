"""Free-text answers to option letters, without the failure modes of common evaluators.

What parses: a lone letter in any case ("b"), the letter with brackets or punctuation
("(B)", "B.", "B)", "B:"), an explicit statement ("Answer: B", "The answer is (C)",
"the correct option is D"), the exact text of one option, or a reply whose only
capital option letter is unambiguous. What never counts: the article "a" or the pronoun
"I" taken as a letter, the first capital letter of a sentence, a letter outside the
options. Anything else is unparseable: scored wrong and counted apart, never dropped and
never replaced by a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

PARSED = "parsed"
UNPARSEABLE = "unparseable"

_WRAPPED = re.compile(r"^[\s\"'*`]*[(\[]?\s*([A-Za-z])\s*[)\]]?\s*[.:)]?[\s\"'*`]*$")
_LEADING = re.compile(r"^[\s\"'*`]*[(\[]?([A-Z])(?:[)\]]|[.:)](?=\s|$))")
_STATED = re.compile(
    r"\b(?:answer|option|choice)\s*(?:is|would be|should be|=)?\s*(?:option\s*)?[:\-]?\s*[(\[]?\s*([A-Z])\b(?![a-z'])",
    re.IGNORECASE)
_CAPITAL = re.compile(r"(?<![A-Za-z'])([A-Z])(?![A-Za-z'])")
_WORD_AFTER = re.compile(r"\s+[a-z]")


@dataclass(frozen=True)
class ParsedAnswer:
    letter: str | None
    status: str  # parsed | unparseable
    rule: str  # which rule decided, for the report's audit


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip(".").strip()).casefold()


def parse_answer(reply: str, options: dict[str, str]) -> ParsedAnswer:
    """`options` maps letters to option texts (e.g. {"A": "5", "B": "2"})."""
    text = reply.strip()
    if not text:
        return ParsedAnswer(None, UNPARSEABLE, "empty")
    letters = set(options)

    def found(letter: str, rule: str) -> ParsedAnswer:
        letter = letter.upper()
        if letter in letters:
            return ParsedAnswer(letter, PARSED, rule)
        return ParsedAnswer(None, UNPARSEABLE, f"{rule}: {letter} is not an option")

    if m := _WRAPPED.match(text):
        return found(m.group(1), "lone letter")
    by_text = [letter for letter, option in options.items() if _normalise(option) == _normalise(text)]
    if len(by_text) == 1:
        return ParsedAnswer(by_text[0], PARSED, "option text")
    stated = {m.group(1).upper() for m in _STATED.finditer(text)}
    if len(stated) == 1:
        return found(stated.pop(), "stated answer")
    if len(stated) > 1:
        return ParsedAnswer(None, UNPARSEABLE, "several answers stated")
    if m := _LEADING.match(text):
        return found(m.group(1), "leading letter")
    capitals = set()
    for m in _CAPITAL.finditer(text):
        letter = m.group(1)
        if letter in ("A", "I") and _WORD_AFTER.match(text, m.end()):
            continue  # "A dog ...", "I think ..."
        if letter in letters:
            capitals.add(letter)
    if len(capitals) == 1:
        return ParsedAnswer(capitals.pop(), PARSED, "single option letter")
    return ParsedAnswer(None, UNPARSEABLE, "no single option letter" if not capitals else "several option letters")

"""Free-text answers to option letters, without the failure modes of common evaluators.

What parses: a lone letter in any case ("b"), the letter with brackets or punctuation
("(B)", "B.", "B)", "B:"), an explicit statement ("Answer: B", "The answer is (C)",
"the correct option is D"), the exact text of one option, a reply that starts with one
option's text and goes on without naming another ("Fast, because ..."), or a reply whose only
capital option letter set apart as a word is unambiguous. What never counts: the article "a"
or the pronoun "I" taken as a letter, the first capital letter of a sentence, a letter outside
the options, a hedge between two letters ("A or B", "the answer is A or B"), a letter inside
a garbled reply (partial characters or control bytes, as untrained models write). Anything
else is unparseable: scored wrong and counted apart, never dropped and never replaced by a
guess.
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
# For the last-resort rule, a letter set apart as a word is: after a space, a bracket or a
# quote, before a space or punctuation. "~D", "\x04D" and "C\ufffd" in broken output are not.
_WORD_CAPITAL = re.compile(r"(?<![^\s(\[\"'*`])([A-Z])(?=$|[\s.,:;!?)\]\"'*`])")
# Bytes a tokenizer decoded from a partial character, and control characters: a garbled reply.
_GARBLED = re.compile(r"[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD_AFTER = re.compile(r"\s+[a-z]")
# two letters joined as alternatives: "A or B", "A and/or B", "A, B", "A/B", "either A or (B)"
_HEDGE = re.compile(r"(?<![A-Za-z'])([A-Z])\s*[)\]]?\s*(?:,|/|\bor\b|\band\b|\bnor\b|\bvs\.?|\bversus\b)+\s*"
                    r"(?:(?:maybe|perhaps|possibly|probably|rather)\s+)?(?:(?:option|choice)\s+)?[(\[]?\s*([A-Z])(?![A-Za-z'])",
                    re.IGNORECASE)


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
    if any({m.group(1), m.group(2)} <= letters and m.group(1) != m.group(2) for m in _HEDGE.finditer(text)):
        return ParsedAnswer(None, UNPARSEABLE, "a hedge between two options")
    if (leading := _leading_option_text(text, options)) is not None:
        return leading
    stated = {m.group(1).upper() for m in _STATED.finditer(text)}
    if len(stated) == 1:
        return found(stated.pop(), "stated answer")
    if len(stated) > 1:
        return ParsedAnswer(None, UNPARSEABLE, "several answers stated")
    if m := _LEADING.match(text):
        return found(m.group(1), "leading letter")
    if _GARBLED.search(text):
        return ParsedAnswer(None, UNPARSEABLE, "garbled reply")
    capitals = _capital_letters(text, letters, _WORD_CAPITAL)
    if len(capitals) == 1:
        return ParsedAnswer(capitals.pop(), PARSED, "single option letter")
    return ParsedAnswer(None, UNPARSEABLE, "no single option letter" if not capitals else "several option letters")



def _capital_letters(text: str, letters: set[str], pattern: re.Pattern = _CAPITAL) -> set[str]:
    """Standalone capital option letters, less the article "A" and the pronoun "I"."""
    found = set()
    for m in pattern.finditer(text):
        letter = m.group(1)
        if letter in ("A", "I") and _WORD_AFTER.match(text, m.end()):
            continue  # "A dog ...", "I think ..."
        if letter in letters:
            found.add(letter)
    return found


def _mentions(text: str, option: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(option)}(?![\w])", text) is not None


def _leading_option_text(text: str, options: dict[str, str]) -> ParsedAnswer | None:
    """A reply that starts with one option's text, at a word boundary ("No, the frames differ"):
    that option, unless the rest names another option by its text or its letter; None when no
    option leads."""
    reply = re.sub(r"\s+", " ", text.strip())
    folded = reply.lower()
    leading = [(len(o), letter) for letter, option in options.items()
               if (o := option.strip().lower()) and folded.startswith(o) and not folded[len(o):len(o) + 1].isalnum()]
    if not leading:
        return None
    size, letter = max(leading)  # the longest option that leads
    rest = reply[size:]
    letters = _capital_letters(rest, set(options)) - {letter}
    if letters or any(_mentions(rest.lower(), option.strip().lower()) for other, option in options.items()
                      if other != letter):
        return ParsedAnswer(None, UNPARSEABLE, "an option's text, then another option named")
    return ParsedAnswer(letter, PARSED, "leading option text")

"""Regression list for the answer parser: the known ways evaluators misread replies."""
import pytest

from fragmentforge.evaluate.parser import PARSED, UNPARSEABLE, parse_answer

OPTIONS = {"A": "5", "B": "2", "C": "6", "D": "4"}
WORDS = {"A": "Yes", "B": "No", "C": "Not sure"}


@pytest.mark.parametrize("reply, options, letter", [
    ("B", OPTIONS, "B"),  # also what the trained qwen2_vl, qwen3_vl and llava_next_video twins reply
    ("b", OPTIONS, "B"),  # a lone lower-case letter
    ("(B)", OPTIONS, "B"),
    ("B.", OPTIONS, "B"),
    ("B)", OPTIONS, "B"),
    (" B: ", OPTIONS, "B"),
    ("Answer: B", OPTIONS, "B"),
    ("answer: (d)", OPTIONS, "D"),
    ("The answer is C", OPTIONS, "C"),  # not the first capital letter, T
    ("The answer is (C).", OPTIONS, "C"),
    ("I think the correct option is D.", OPTIONS, "D"),  # "I" is not option I
    ("C. 6", OPTIONS, "C"),
    ("6", OPTIONS, "C"),  # the exact option text
    ("Not sure", WORDS, "C"),
    ("no", WORDS, "B"),
    ("A", OPTIONS, "A"),  # a lone "A" is the option
    ("A dog is chasing the ball, so D", OPTIONS, "D"),  # the article "a" is not option A
    ("Based on the frames, D", OPTIONS, "D"),  # B in "Based" is not a letter
    # an option's text, then more (replies as real models write them)
    ("No, the two frames differ in the position of the circle.", WORDS, "B"),
    ("Not sure, the frames are blurry", WORDS, "C"),  # the longer option, not "No"
    ("6, because I counted six frames", OPTIONS, "C"),
    ("Fast - the object jumps between frames", {"A": "Slow", "B": "Fast", "C": "Normal speed"}, "B"),
    ("Moving something up. A ball rises.", {"A": "Moving something up", "B": "Moving something down"}, "A"),
    ("So the count is D!", OPTIONS, "D"),  # a letter set apart, before punctuation
])
def test_replies_that_parse(reply, options, letter):
    parsed = parse_answer(reply, options)
    assert (parsed.letter, parsed.status) == (letter, PARSED), parsed


@pytest.mark.parametrize("reply, options", [
    ("", OPTIONS),
    ("a dog", OPTIONS),  # an article, not an answer
    ("A dog is running.", OPTIONS),
    ("There are five frames.", OPTIONS),  # text that is no option's exact text
    ("E", OPTIONS),  # a letter outside the options
    ("The answer is E", OPTIONS),
    ("B or C", OPTIONS),  # two letters: no guess
    ("The answer is B, or maybe the answer is C", OPTIONS),
    ("I don't know", OPTIONS),
    ("Yes and no", WORDS),
    # hedges between two letters, even where one is followed by a lower-case word
    ("A or B", OPTIONS),
    ("The answer is A or B", OPTIONS),
    ("Either A or maybe C", OPTIONS),
    ("A and/or D", OPTIONS),
    ("B/C", OPTIONS),
    # what the tiny twins generated before training (tests/test_families.py's models): letters
    # inside garbled output are not answers
    (" numberoveringee\x1d\ufffd\x16~D\ufffd\ufffdov\ufffdtat\ufffdle", OPTIONS),  # qwen2_vl
    ("\ufffdAnswer gB\ufffd correctmalD\x04D\x04D\x04D\x04D", OPTIONS),  # qwen2_5_vl
    ("\ufffd action\ufffd frames\ufffd opt le C\ufffdPut\ufffdays\ufffd", OPTIONS),  # llava_next_video
    ("\ufffdrakground square\ufffdMoving D nure\ufffd thir B\ufffdlotingay", OPTIONS),  # llava_next_video
    ("\ufffd\x08 trian thre imagest\ufffd table green v pQpt\ufffd green", OPTIONS),  # internvl
    ("\n\n\n\n\n\n\n\n", OPTIONS),  # qwen2_5_vl and internvl after 8 steps: newlines only
    ("Moving D nure thir B lotingay", OPTIONS),  # two letters set apart
    # an option's text, then another option named
    ("Yes, or perhaps No", WORDS),
    ("5, or 6 if the last frame counts", OPTIONS),
    ("5 frames, so the answer is C", OPTIONS),
])
def test_replies_that_do_not_parse_are_reported_not_guessed(reply, options):
    parsed = parse_answer(reply, options)
    assert (parsed.letter, parsed.status) == (None, UNPARSEABLE), parsed

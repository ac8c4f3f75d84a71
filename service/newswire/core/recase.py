"""ALL-CAPS lines (headlines, wire slugs, sports tables) in the case the model was trained on.

en_core_web_sm learned names from their capitals: in "JAPAN GET LUCKY WIN, CHINA IN SURPRISE
DEFEAT" every word looks like a name, or none does. Such a line is shown to the model in title
case ("Japan GET Lucky WIN, China in Surprise Defeat"): short function words lower case, words
of up to three letters kept (UN, EU, BBC are more often names than "WIN" is a word). The
result has the same length as the input, character for character, so offsets stay the body's;
entity texts are read from the body, not from what the model saw.
"""

from __future__ import annotations

import re

# A line is shouting when it has no lower-case letter and at least this many upper-case ones.
MIN_UPPER = 8
_SMALL_WORDS = frozenset(
    {
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "of", "off", "on",
        "onto", "or", "over", "per", "than", "the", "to", "up", "upon", "via", "vs", "with",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")


def _shouting(line: str) -> bool:
    # str.isupper (C speed) first: most lines have a lower-case letter and stop there.
    return line.isupper() and sum(1 for c in line if c.isupper()) >= MIN_UPPER


def _lower(text: str) -> str:
    """Lower case where that keeps the length ("İ".lower() is two characters)."""
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


def _word(match: re.Match[str], first: bool) -> str:
    word = match.group()
    if not word.isupper():
        return word
    if word.casefold() in _SMALL_WORDS and not first:
        return _lower(word)
    if len(word) <= 3:
        return word
    return word[0] + _lower(word[1:])


def recase_shouting(text: str) -> str:
    """`text` with its ALL-CAPS lines in title case; same length, other lines untouched."""
    return "".join(
        _recase_line(line) if _shouting(line) else line for line in text.splitlines(keepends=True)
    )


def _recase_line(line: str) -> str:
    out = []
    last = 0
    for index, match in enumerate(_WORD.finditer(line)):
        out.append(line[last : match.start()])
        out.append(_word(match, first=index == 0))
        last = match.end()
    out.append(line[last:])
    return "".join(out)

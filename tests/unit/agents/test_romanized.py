"""The romanised-language rules on their own (sentences written here)."""

import pytest

from agents.romanized import looks_arabizi, romanized_hindi_share


@pytest.mark.parametrize(
    "text, expected",
    [
        ("unpe vishwaas mat karna.", 2 / 4),  # one strong word: the text must be >= 40 % Hindi
        ("gays keede hain.", 0.0),  # ... and here it is 1/3
        ("yeh log kabhi nahi sudhrenge", 4 / 5),
        ("The hai is a word in Italian", 0.0),  # one strong word among many others
        ("hai", 1.0),
        ("", 0.0),
        ("Mein Auto ist kaputt, aber main Fahrrad nicht", 0.0),  # weak words only
    ],
)
def test_romanized_hindi_share(text: str, expected: float) -> None:
    assert romanized_hindi_share(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text, expected",
    [("wallah ma3ak", True), ("7abibi", True), ("I ran 5km in 3G land", False), ("salam", True)],
)
def test_looks_arabizi(text: str, expected: bool) -> None:
    assert looks_arabizi(text) is expected

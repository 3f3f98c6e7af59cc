from agents.formats.markup import html_paragraphs


def test_source_newlines_inside_a_paragraph_are_white_space() -> None:
    html = (
        "<p>The minister said\n   the talks <b>would</b>\n resume.</p>\n<p>Second\nparagraph.</p>"
    )
    assert html_paragraphs(html) == [
        "The minister said the talks would resume.",
        "Second paragraph.",
    ]


def test_blocks_and_line_breaks_separate_paragraphs_and_scripts_are_dropped() -> None:
    html = "<h1>Title</h1><p>One &amp; two</p><script>track()</script>Four<br>five"
    assert html_paragraphs(html) == ["Title", "One & two", "Four", "five"]

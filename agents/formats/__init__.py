"""Input formats of `articles.raw`. `sniff` recognises a payload; one reader per format turns it
into a `Document` (`text`, `ninjs`, `newsml`, `html`); `reader` dispatches. Kept free of imports
so that `agents.rawtext` can use `agents.formats.dates` without an import cycle."""

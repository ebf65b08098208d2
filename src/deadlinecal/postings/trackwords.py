"""A posting's title -> its track, for lists that give no `category` (pure, no I/O).

The rules are an ordered keyword map: the first track one of whose words (or phrases) the
title contains as whole words, case ignored, wins; a title none matches stays
uncategorised. Quant comes first so that "Quantitative Developer" is quant rather than
software, and AI/ML/data before software so that "Machine Learning Engineer" is not
software. `import simplify --keywords FILE` replaces the rules with a YAML mapping of track
key to words, in the file's order:

    quant: [quant, trading]
    ai-ml-data: [machine learning, data]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from deadlinecal.errors import DataError, Problem

Rules = tuple[tuple[str, tuple[str, ...]], ...]

DEFAULT_RULES: Rules = (
    ("quant", ("quant", "quants", "quantitative", "trading", "trader", "algorithmic")),
    ("ai-ml-data", ("machine learning", "ml", "ai", "artificial intelligence", "data",
                    "deep learning", "nlp", "computer vision", "analytics",
                    "data science", "data scientist", "research scientist", "llm")),
    ("hardware", ("hardware", "electrical", "fpga", "asic", "embedded", "firmware",
                  "silicon", "vlsi", "circuit", "circuits", "semiconductor", "rf", "chip",
                  "pcb", "verification", "robotics", "mechatronics")),
    ("product", ("product manager", "product management", "apm", "product design",
                 "product designer")),
    ("software", ("software", "developer", "swe", "sde", "backend", "back end", "back-end",
                  "frontend", "front end", "front-end", "full stack", "full-stack",
                  "fullstack", "web", "mobile", "ios", "android", "devops", "cloud",
                  "platform", "infrastructure", "programmer", "programming", "security",
                  "cybersecurity", "site reliability", "sre", "application", "applications",
                  "technology", "it")),
)


class Classifier:
    """The rules compiled once: one pattern per track."""

    def __init__(self, rules: Rules = DEFAULT_RULES) -> None:
        self.rules = [(track, re.compile(r"(?<![a-z0-9])(?:"
                                         + "|".join(re.escape(word.casefold()).replace(
                                             r"\ ", r"[\s\-/]+") for word in words)
                                         + r")(?![a-z0-9])")) for track, words in rules
                      if words]

    def track(self, title: str) -> str | None:
        """The track of the first rule the title matches, else None."""
        folded = title.casefold()
        for track, pattern in self.rules:
            if pattern.search(folded):
                return track
        return None


def parse_rules(data: object, *, file: str) -> Rules:
    """A keyword map read from YAML (track key -> list of words). Raises DataError."""
    expected = "a mapping of track key to a list of words, like `quant: [quant, trading]`"
    if not isinstance(data, dict) or not data:
        raise DataError([Problem(file=file, line=None, column=None, path="",
                                 message="the keyword map is not a mapping", expected=expected)])
    rules = []
    for key, words in data.items():
        if (not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key)
                or not isinstance(words, Sequence) or isinstance(words, str)
                or not all(isinstance(word, str) and word.strip() for word in words)):
            raise DataError([Problem(file=file, line=None, column=None, path=str(key)[:40],
                                     message="not a track key with a list of words",
                                     expected=expected)])
        rules.append((key, tuple(word.strip() for word in words)))
    return tuple(rules)

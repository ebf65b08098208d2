"""Names a user types, matched against the data's: the same text after folding, or a guess.

Shared by the data's checks, the feed filters and the picker's queries, so a name means the
same thing wherever it is typed. Pure text and the data model, nothing above them.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

from deadlinecal.model import Dataset


@functools.lru_cache(maxsize=4096)
def casefold(text: str) -> str:
    """The form in which filter values and data values are compared.

    NFKC (so a decomposed "Cafe\u0301" equals a composed "Caf\u00e9", and a full-width or
    ligature letter its plain one), then case folding, then runs of white space as one space.
    NFKC is applied again after folding because folding can undo it (Unicode's NFKC_Casefold).
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def employers(dataset: Dataset) -> list[str]:
    """Every employer of the dataset's programs, once per folded name, sorted."""
    named: dict[str, str] = {}
    for program in dataset.programs:
        named.setdefault(casefold(program.employer), program.employer)
    return sorted(named.values(), key=casefold)


def known(value: str, valid: Sequence[str]) -> str | None:
    """The entry of `valid` that `value` names (after `casefold`), or None."""
    wanted = casefold(value)
    return next((name for name in valid if casefold(name) == wanted), None)


def did_you_mean(value: str, valid: Sequence[str]) -> str:
    """Up to three entries of `valid` that `value` may have meant, as "'a' or 'b'" (or ""):
    close spellings first, then names holding it as a part ("Ai2" -> "Allen ... (Ai2)")."""
    import difflib  # only for a mistyped filter value: kept out of every build's start-up

    by_fold = {casefold(name): name for name in valid}
    wanted = casefold(value)
    close = difflib.get_close_matches(wanted, list(by_fold), n=3)
    # One or two letters are part of too many names to point at any of them.
    holding = [folded for folded in by_fold if len(wanted) > 2 and wanted in folded]
    return " or ".join(repr(by_fold[folded])
                       for folded in list(dict.fromkeys([*close, *holding]))[:3])

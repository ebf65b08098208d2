"""The follow-up's description says where it really is, in plain sentences."""

from __future__ import annotations

import datetime as dt

from deadlinecal.dataset.validate import load_dataset
from deadlinecal.events.expand import expand
from deadlinecal.model import Event
from deadlinecal.site import build

from .conftest import DEFAULT_DATA
from .helpers import dataset_yaml, program


def _follow_up(*windows: str, extra: str = "") -> Event:
    events = expand(load_dataset(dataset_yaml(program(extra=extra, windows="\n".join(windows))),
                                 file="t.yaml").dataset)
    return next(e for e in events if e.uid.endswith(".follow-up@deadlinecal"))


def _dates_paragraph(event: Event) -> str:
    return event.details.split("\n\n")[1]


def _default(summary: str) -> Event:
    made = build(DEFAULT_DATA.read_bytes(), file="data/ml-internships-summer-2027.yaml")
    return next(e for e in made.events if e.summary == summary)


class TestPlacementInPlainSentences:
    def test_a_confirmed_opening_says_the_reminder_is_the_offset_after_it(self) -> None:
        follow = _follow_up('- opens: "2026-10-14"')
        assert follow.start == dt.date(2026, 10, 28)
        assert _dates_paragraph(follow) == (
            "This reminder is 2 weeks after the opening entry on 14 October 2026. "
            "Applications open on 14 October 2026 (confirmed). Applying early leaves time to "
            "fix problems before the window closes.")

    def test_an_estimated_opening_is_a_sentence_of_its_own(self) -> None:
        follow = _follow_up('- opens: "2026-08"\n  rolling: true', extra="follow_up_days: 7")
        assert _dates_paragraph(follow).startswith(
            "This reminder is 1 week after the opening entry on 1 August 2026. Applications "
            "are expected to open in August 2026; the date is not yet announced. Rolling")

    def test_a_reminder_moved_before_the_earliest_close_says_so(self) -> None:
        follow = _follow_up('- opens: "2026-10-14"\n  closes: "2026-10-20"')
        assert follow.start == dt.date(2026, 10, 19)
        assert _dates_paragraph(follow).startswith(
            "This reminder is 5 days after the opening entry on 14 October 2026, not the "
            "usual 2 weeks, so that it comes before the window closes on 20 October 2026. ")


class TestDefaultData:
    def test_google_step_apply_says_it_is_13_days_after_the_opening(self) -> None:
        step = _default("~Apply: Google STEP")
        assert (step.start - _default("~Opens: Google STEP").start).days == 13
        text = _dates_paragraph(step)
        assert "2 weeks after the opening entry" not in text
        assert text.startswith(
            "This reminder is 13 days after the opening entry on 11 October 2026, not the "
            "usual 2 weeks, so that it comes before the window may close, as early as "
            "25 October 2026. Applications are expected to open in mid-October 2026, for a "
            "2–4 week window; the date is not yet announced.")

    def test_citadel_check_has_no_chain_of_colons(self) -> None:
        text = _dates_paragraph(_default("~Check: Citadel"))
        assert "entry: applications open:" not in text
        assert text.startswith(
            "This reminder is 1 week after the opening entry on 1 August 2026. Applications "
            "are expected to open in August 2026; the date is not yet announced.")

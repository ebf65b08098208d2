"""What the default feeds claim about each program, held to the source article.

Every row below is written from the seed article ("Machine Learning Internships in 2026:
Three Very Different Jobs, One Title"); the comment above it quotes the words it rests on.
The test reads the claims back from the built feeds (the lines a student reads, and which
eligibility feeds hold the program), so an edit of the data that widens or narrows a claim
fails here until this table, and its quote, say the same.

A group is `open` only when the source names it, `closed` only when the source rules it
out; every other group is not stated, and the feeds must say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import icalendar
import pytest

from deadlinecal.site import Build

GROUPS = {"undergrad": "Undergraduates", "masters": "Master's students",
          "phd": "PhD students", "first-second-year": "First- and second-year undergraduates",
          "not-enrolled": "People not enrolled in school"}
NO_RULE = "not stated by the source"
US_ONLY = "only US citizens or US permanent residents"
# The research track's screen ("What this track screens for: evidence you can survive
# ambiguity — a course project that went beyond the assignment, any research assistant
# time, a professor who'll vouch for you. Grades matter more here ...").
RESEARCH_SCREEN = ("Signs you can handle open-ended research: projects that went past the "
                   "assignment, any RA experience, a professor's recommendation, and grades.")
# The quant screen: "competition-math-grade probability and statistics plus strong coding".
QUANT_SCREEN = "Contest-grade probability and statistics plus strong programming."
# The applied screen: "coding rounds and one real project you can defend"; "Applied roles
# run coding rounds plus ML fundamentals".
APPLIED_SCREEN = "Coding rounds and ML fundamentals, plus a project you can defend."


@dataclass(frozen=True)
class Claim:
    open: frozenset[str] = frozenset()
    closed: frozenset[str] = frozenset()
    citizenship: str = NO_RULE
    screens: str | None = None  # None: the feeds state no screen


def claim(open_: set[str] | None = None, closed: set[str] | None = None,
          citizenship: str = NO_RULE, screens: str | None = None) -> Claim:
    return Claim(frozenset(open_ or ()), frozenset(closed or ()), citizenship, screens)


CLAIMS = {
    # "the structured undergrad research route ... US citizens and permanent residents
    # only"; FAQ: "NSF REU is undergrad-only". First- and second-years: not named.
    "nsf-reu-ml": claim({"undergrad"}, {"masters", "phd", "not-enrolled"}, US_ONLY,
                        RESEARCH_SCREEN),
    # "Open to enrolled BS, MS, and PhD students in CS or related fields"; FAQ: "takes BS
    # through PhD". "enrolled" rules out people not in school.
    "google-deepmind-student-researcher": claim(
        {"undergrad", "masters", "phd"}, {"not-enrolled"},
        screens="Research potential: work beyond coursework, research experience and "
        "faculty backing."),
    # "PhD students only. If you're an undergrad or a master's student, this door is
    # closed"; FAQ: "Meta FAIR is PhD-only". No screen is given for FAIR itself.
    "meta-fair-research": claim({"phd"}, {"undergrad", "masters", "first-second-year",
                                          "not-enrolled"}),
    # "paid research internships for undergrads and grad students".
    "ai2-research-internship": claim({"undergrad", "masters", "phd"},
                                     screens="Research aptitude, projects and "
                                     "recommendations."),
    # "beginner-friendly" and, to freshmen and sophomores, "there are on-ramps built for
    # exactly you: ... the MLH Fellowship is beginner-friendly". No degree rule.
    "mlh-fellowship": claim({"first-second-year"},
                            screens="Suited to beginners; mentored open-source "
                            "contribution."),
    # "OpenAI's Residency requires that you not be enrolled in school".
    "openai-residency": claim({"not-enrolled"}, {"undergrad", "masters", "phd",
                                                 "first-second-year"}),
    # "Anthropic's programs are full-time cohorts, not summers": no group named.
    "anthropic-fellows": claim(),
    # To "an undergrad or a master's student": "Meta's general SWE internship ... is the
    # version you can actually get". PhD students are not ruled out, only pointed to FAIR.
    "meta-swe-internship": claim({"undergrad", "masters"},
                                 screens="Coding interviews plus ML fundamentals; Meta now "
                                 "lets candidates use AI assistants in coding interviews."),
    # "Apple's AIML undergrad internship (CS, CE, data science, applied math majors ...)".
    "apple-aiml-undergrad": claim({"undergrad"}, {"masters", "phd", "not-enrolled"},
                                  screens="Software-engineering fundamentals first, then ML; "
                                  "coding rounds and a project you can defend."),
    # FAQ: "Applied ML at big tech and quant internships take undergrads" (and nothing on
    # other groups); "NVIDIA's own page says it weighs practical skills, projects, and
    # research work alongside GPA".
    "nvidia-internship": claim({"undergrad"},
                               screens="NVIDIA says it considers hands-on skills, projects "
                               "and research alongside GPA."),
    # Same FAQ sentence; the applied screen.
    "amazon-applied-scientist-intern": claim({"undergrad"}, screens=APPLIED_SCREEN),
    # Same FAQ sentence; "software engineering fundamentals first ... coding rounds".
    "amazon-sde-intern": claim({"undergrad"}, screens="Software-engineering fundamentals "
                               "tested in coding rounds."),
    # Same FAQ sentence; the applied screen.
    "microsoft-internship": claim({"undergrad"}, screens=APPLIED_SCREEN),
    # "Google STEP and Microsoft Explore target first- and second-years".
    "microsoft-explore": claim({"first-second-year"}, {"masters", "phd", "not-enrolled"}),
    # "STEP for first- and second-years"; "Google and Meta now permit AI assistants during
    # coding interviews".
    "google-step": claim({"first-second-year"}, {"masters", "phd", "not-enrolled"},
                         screens="Coding fundamentals; Google now lets candidates use AI "
                         "assistants in coding interviews."),
    # FAQ: "quant internships take undergrads".
    "jane-street-internship": claim({"undergrad"}, screens=QUANT_SCREEN),
    "citadel-internship": claim({"undergrad"}, screens=QUANT_SCREEN),
    # FAQ: "quant internships take undergrads"; "the intake skews toward grad students and
    # PhDs".
    "two-sigma-internship": claim({"undergrad", "masters", "phd"}, screens=QUANT_SCREEN),
}


def _descriptions(build: Build, path: str) -> dict[str, list[str]]:
    """Program id -> the description lines of its events in one feed."""
    found: dict[str, list[str]] = {}
    for event in icalendar.Calendar.from_ical(build.files[path]).events:
        program = str(event["UID"]).split("@")[0].split(".")[1]
        found.setdefault(program, []).append(str(event["DESCRIPTION"]))
    return found


def _line(description: str, label: str) -> str | None:
    lines = [line.removeprefix(label) for line in description.splitlines()
             if line.startswith(label)]
    assert len(lines) <= 1, (label, description)
    return lines[0] if lines else None


def _stated(description: str) -> tuple[frozenset[str], frozenset[str]]:
    """The groups a description calls open, and those it calls not stated (by key)."""
    keys = {title: key for key, title in GROUPS.items()}
    eligible = _line(description, "Eligible: ")
    opened = {keys[t] for t in eligible.split("; ")} if eligible not in (None, "none") else set()
    unstated = {key for key, title in GROUPS.items()
                if f"Eligibility for {title}: {NO_RULE}" in description.splitlines()}
    return frozenset(opened), frozenset(unstated)


class TestWhatTheFeedsClaim:
    def test_every_default_program_has_a_claim_from_the_source(self,
                                                                default_build: Build) -> None:
        assert {p.id for p in default_build.dataset.programs} == set(CLAIMS)
        assert {g.key: g.title for g in default_build.dataset.eligibility} == GROUPS

    @pytest.mark.parametrize("program", sorted(CLAIMS))
    def test_events_state_the_groups_the_source_names_and_no_others(
            self, default_build: Build, program: str) -> None:
        expected = CLAIMS[program]
        unstated = frozenset(GROUPS) - expected.open - expected.closed
        for description in _descriptions(default_build, "all.ics")[program]:
            assert _stated(description) == (expected.open, unstated), description

    @pytest.mark.parametrize("program", sorted(CLAIMS))
    def test_a_group_feed_holds_the_program_unless_the_source_rules_the_group_out(
            self, default_build: Build, program: str) -> None:
        closed = CLAIMS[program].closed
        holding = {group for group in GROUPS
                   if program in _descriptions(default_build, f"eligibility/{group}.ics")}
        assert holding == set(GROUPS) - closed

    @pytest.mark.parametrize("program", sorted(CLAIMS))
    def test_events_state_the_citizenship_rule_and_screen_of_the_source(
            self, default_build: Build, program: str) -> None:
        expected = CLAIMS[program]
        for description in _descriptions(default_build, "all.ics")[program]:
            assert _line(description, "Citizenship: ") == expected.citizenship
            assert _line(description, "Screens for: ") == expected.screens

    def test_only_programs_with_a_citizenship_rule_leave_the_international_feed(
            self, default_build: Build) -> None:
        held = set(_descriptions(default_build, "feeds/open-to-international.ics"))
        assert set(CLAIMS) - held == {p for p, c in CLAIMS.items() if c.citizenship != NO_RULE}

    def test_a_student_reads_the_source_precision_not_invented_days(
            self, default_build: Build) -> None:
        everything = "\n".join(line for lines in _descriptions(default_build, "all.ics")
                               .values() for line in lines)
        # "Updated July 2026"; "last verified July 2026": no day of it.
        assert "Last verified: July 2026" in everything
        assert "Last verified: 31 July 2026" not in everything
        # "postings go live around early September 2026": no last day of "early".
        assert "expected around early September 2026" in everything
        assert "10 September" not in everything
        # The source points to its hub for dates; it does not say none were published.
        assert "published yet" not in everything

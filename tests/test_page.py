"""The subscribe page: one entry per feed, working links, an honest timeline, escaped text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.dataset.validate import load_dataset
from deadlinecal.events.expand import expand
from deadlinecal.events.select import select, standard_feeds
from deadlinecal.output.write import write_tree
from deadlinecal.page.index import (
    GOOGLE_FROM_URL,
    feed_url,
    is_web_address,
    outlook_url,
    render_page,
    webcal_url,
)
from deadlinecal.site import build

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"

DATA = b"""
format: 1
dataset:
  id: page-test
  title: Page <test> & friends
  description: A small dataset whose text needs <escaping> & care.
  cycle: {starts: "2026-07-01", ends: "2027-06-30"}
  source: {name: "Notes <b>bold</b>", url: "https://example.org/source?a=1&b=2"}
  updated: "2026-07-31"
  timezone: America/New_York
tracks:
  research: {title: Research & <labs>}
  applied: {title: Applied}
eligibility:
  undergrad: {title: Undergraduates}
  phd: {title: PhD students}
feeds:
  confirmed:
    title: Confirmed dates only
    filter: {confirmed_only: true}
programs:
  - id: exact-one
    employer: Exact Co
    program: Confirmed <script>alert(1)</script> program
    track: research
    eligibility: [undergrad]
    link: https://example.org/apply?x=1&y='2'
    last_verified: "2026-07-31"
    windows:
      - opens: "2026-09-01"
        deadline: "2026-10-15 23:59 America/New_York"
  - id: fuzzy-one
    employer: Fuzzy Inc
    program: Estimated program
    track: applied
    eligibility: [undergrad, phd]
    last_verified: "2026-07-31"
    windows:
      - opens: "mid 2026-10"
        closes: "2026-12"
  - id: always-open
    employer: Always
    program: Year-round program
    track: applied
    eligibility: [phd]
    last_verified: "2026-07-31"
    windows:
      - year_round: true
        rolling: true
  - id: no-date-yet
    employer: Someday
    program: Watch-list program
    track: research
    eligibility: [phd]
    notes: "Nothing published <yet>."
    last_verified: "2026-07-31"
"""

BASE = "https://calendars.example.org/ml/"


def _page(base_url: str | None = None, data: bytes = DATA) -> str:
    return build(data, file="test.yaml", base_url=base_url).files["index.html"].decode()


def _svg(page: str, kind: str = "wide") -> ET.Element:
    match = re.search(rf'<svg class="timeline {kind}".*?</svg>', page, re.S)
    assert match, f"no {kind} timeline"
    return ET.fromstring(match.group(0))


def _feeds(page: str) -> str:
    """The section of the named feeds' cards."""
    return page[page.index('<section class="wrap" id="feeds"'):]


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="card".*?</article>', page, re.S)


class TestAddresses:
    def test_feed_url_adds_the_missing_slash(self) -> None:
        assert feed_url("https://x.org/cal", "tracks/a.ics") == "https://x.org/cal/tracks/a.ics"

    def test_feed_url_keeps_an_existing_slash(self) -> None:
        assert feed_url("https://x.org/cal/", "all.ics") == "https://x.org/cal/all.ics"

    def test_feed_url_percent_encodes_the_path(self) -> None:
        assert feed_url("https://x.org/", "feeds/a b.ics") == "https://x.org/feeds/a%20b.ics"

    def test_feed_url_leaves_out_a_query_and_fragment_of_the_base(self) -> None:
        assert feed_url("https://x.org/cal/?v=1#top", "all.ics") == "https://x.org/cal/all.ics"

    def test_webcal_replaces_https(self) -> None:
        assert webcal_url("https://x.org/all.ics") == "webcal://x.org/all.ics"

    def test_webcal_replaces_http(self) -> None:
        assert webcal_url("http://x.org:8000/all.ics") == "webcal://x.org:8000/all.ics"

    def test_outlook_link_carries_the_feed_and_its_name(self) -> None:
        link = outlook_url("https://x.org/all.ics", "A & B")
        assert link == ("https://outlook.live.com/calendar/0/addfromweb?"
                        "url=https%3A%2F%2Fx.org%2Fall.ics&name=A+%26+B")

    @pytest.mark.parametrize("text", ["https://x.org", "http://x.org/a", "HTTPS://X.ORG/"])
    def test_web_addresses_are_accepted(self, text: str) -> None:
        assert is_web_address(text)

    @pytest.mark.parametrize("text", ["javascript:alert(1)", "ftp://x.org/", "x.org/a",
                                      "/relative", "https://", "", None])
    def test_other_addresses_are_refused(self, text: str | None) -> None:
        assert not is_web_address(text)


class TestFeedEntries:
    def test_one_card_per_feed(self) -> None:
        result = build(DATA, file="test.yaml")
        cards = _cards(result.files["index.html"].decode())
        assert len(cards) == len(result.feeds) == 6

    def test_each_card_states_its_event_count(self) -> None:
        result = build(DATA, file="test.yaml")
        cards = _cards(result.files["index.html"].decode())
        for spec, card in zip(result.feeds, cards, strict=True):
            count = result.count(spec)
            assert f"<strong>{count} event{'' if count == 1 else 's'}</strong>" in card

    def test_each_card_lists_its_programs(self) -> None:
        result = build(DATA, file="test.yaml")
        card = _cards(result.files["index.html"].decode())[-1]  # feeds/confirmed.ics
        assert "Which programs (1)" in card
        assert "Estimated program" not in card

    def test_apple_links_are_webcal_from_the_base_url(self) -> None:
        page = _feeds(_page(BASE))
        hrefs = re.findall(r'data-link="apple" data-rel="[^"]*" href="([^"]*)"', page)
        assert hrefs[:2] == ["webcal://calendars.example.org/ml/all.ics",
                             "webcal://calendars.example.org/ml/tracks/research.ics"]

    def test_address_to_copy_is_https_from_the_base_url(self) -> None:
        page = _page(BASE)
        assert 'value="https://calendars.example.org/ml/feeds/confirmed.ics"' in page

    def test_google_link_opens_the_from_url_form(self) -> None:
        page = _feeds(_page(BASE))
        assert page.count(f'data-link="google" href="{GOOGLE_FROM_URL}"') == 6

    def test_google_steps_name_the_from_url_menu(self) -> None:
        assert "Add calendar &rsaquo; From URL" in _page(BASE)

    def test_outlook_link_is_prefilled_with_the_https_address(self) -> None:
        page = _page(BASE)
        assert ("addfromweb?url=https%3A%2F%2Fcalendars.example.org%2Fml%2Fall.ics"
                in page)

    def test_download_links_are_relative(self) -> None:
        page = _page(BASE)
        downloads = re.findall(r'data-link="download" href="([^"]*)" download', page)
        downloads.remove("#picker")  # the picker's answer, filled in by its script
        assert re.findall(r'data-link="download" href="([^"]*)"', _feeds(page))[0] == "all.ics"
        assert all(not d.startswith(("http", "/")) for d in downloads)

    def test_dataset_base_url_is_used_without_the_option(self) -> None:
        data = DATA.replace(b"  timezone:", b"  base_url: https://d.example.org/c\n  timezone:")
        assert "webcal://d.example.org/c/all.ics" in _page(None, data)

    def test_option_overrides_dataset_base_url(self) -> None:
        data = DATA.replace(b"  timezone:", b"  base_url: https://d.example.org/c\n  timezone:")
        page = _page("https://o.example.org/", data)
        assert "webcal://o.example.org/all.ics" in page
        assert "d.example.org" not in page


class TestWithoutBaseUrl:
    def test_says_plainly_that_subscribing_needs_a_published_address(self) -> None:
        page = _page()
        assert "These calendars have no public address yet" in page
        assert "--base-url" in page

    def test_has_no_absolute_feed_links(self) -> None:
        page = _page()
        assert "webcal://" not in page
        assert re.search(r'data-link="apple" data-rel="all.ics" href="all.ics"', page)

    def test_notice_is_absent_with_a_base_url(self) -> None:
        assert "no public address" not in _page(BASE)


class TestEscaping:
    def test_program_names_are_escaped(self) -> None:
        page = _page(BASE)
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_titles_are_escaped_everywhere(self) -> None:
        page = _page(BASE)
        assert "<test>" not in page
        assert "<title>Page &lt;test&gt; &amp; friends" in page

    def test_link_attributes_are_escaped(self) -> None:
        page = _page(BASE)
        assert 'href="https://example.org/apply?x=1&amp;y=&#39;2&#39;"' in page

    def test_a_quote_in_a_link_is_escaped_even_without_validation(self) -> None:
        # Validation refuses " in links; the page must not rely on it.
        loaded = load_dataset(DATA, file="test.yaml").dataset
        quoted = dataclasses.replace(loaded.programs[0], link='https://example.org/a?y="2"')
        dataset = dataclasses.replace(loaded, programs=(quoted, *loaded.programs[1:]))
        events = expand(dataset)
        feeds = [(spec, len(select(events, spec.filter))) for spec in standard_feeds(dataset)]
        page = render_page(dataset, events, feeds, BASE).decode()
        assert 'href="https://example.org/a?y=&#34;2&#34;"' in page

    def test_only_web_links_become_hrefs(self) -> None:
        loaded = load_dataset(DATA, file="test.yaml").dataset
        evil = dataclasses.replace(loaded.programs[3], link="javascript:alert(1)")
        dataset = dataclasses.replace(loaded, programs=(*loaded.programs[:3], evil))
        events = expand(dataset)
        feeds = [(spec, len(select(events, spec.filter))) for spec in standard_feeds(dataset)]
        page = render_page(dataset, events, feeds, BASE).decode()
        assert "javascript:" not in page
        assert "Watch-list program" in page

    def test_every_svg_is_well_formed_xml(self) -> None:
        page = _page(BASE)
        assert _svg(page, "wide").tag == f"{SVG}svg"
        assert _svg(page, "narrow").tag == f"{SVG}svg"

    def test_a_base_url_that_is_not_http_is_refused(self) -> None:
        dataset = load_dataset(DATA, file="test.yaml").dataset
        with pytest.raises(ValueError, match="not an http"):
            render_page(dataset, expand(dataset), [], "javascript:alert(1)")


class TestDocument:
    def test_is_deterministic(self) -> None:
        assert _page(BASE) == _page(BASE)

    def test_is_self_contained(self) -> None:
        page = _page(BASE)
        assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", page)
        assert "<link rel=\"stylesheet\"" not in page
        assert "@import" not in page

    def test_has_a_viewport_for_phones(self) -> None:
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in _page()

    def test_declares_language_and_title(self) -> None:
        page = _page()
        assert page.startswith("<!doctype html>\n<html lang=\"en\">")
        assert "<title>" in page

    def test_headings_are_in_order(self) -> None:
        levels = [int(n) for n in re.findall(r"<h([1-6])", _page(BASE))]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels))

    def test_repeated_link_texts_name_their_feed(self) -> None:
        page = _page(BASE)
        texts = re.findall(r'data-link="apple"[^>]*>(.*?)</a>', page)
        assert len(texts) == len(set(texts))
        assert len(re.findall(r'data-link="apple"[^>]*>(.*?)</a>', _feeds(page))) == 6


class TestTimeline:
    def test_svg_has_an_accessible_name(self) -> None:
        svg = _svg(_page())
        assert svg.get("role") == "img"
        title = svg.find(f"{SVG}title")
        assert title is not None and title.text == "Timeline of Page <test> & friends"

    def test_one_month_label_per_month_of_the_cycle(self) -> None:
        svg = _svg(_page())
        months = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "month"]
        assert months == ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar",
                          "Apr", "May", "Jun"]

    def test_year_labels_at_the_start_and_each_january(self) -> None:
        svg = _svg(_page())
        years = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "year"]
        assert years == ["2026", "2027"]

    def test_estimated_spans_are_hatched_and_dashed(self) -> None:
        row = self._row(_svg(_page()), "Estimated program")
        hatched = [r for r in row.iter(f"{SVG}rect") if "hatch" in (r.get("fill") or "")]
        assert len(hatched) == 2  # the fuzzy opening and the fuzzy closing
        assert all(r.get("stroke-dasharray") for r in hatched)

    def test_confirmed_dates_are_solid_markers_not_hatched(self) -> None:
        row = self._row(_svg(_page()), "Confirmed")
        assert not [r for r in row.iter(f"{SVG}rect") if "hatch" in (r.get("fill") or "")]
        assert len(list(row.iter(f"{SVG}path"))) == 2  # opening day and deadline

    def test_estimated_span_covers_its_days(self) -> None:
        svg = _svg(_page())
        row = self._row(svg, "Estimated program")
        left, right = float(svg.get("data-left", 0)), float(svg.get("data-right", 0))
        per_day = (right - left) / 365
        opening = next(r for r in row.iter(f"{SVG}rect") if "hatch" in (r.get("fill") or ""))
        start = (dt.date(2026, 10, 11) - dt.date(2026, 7, 1)).days
        assert float(opening.get("x", 0)) == pytest.approx(left + start * per_day, abs=0.1)
        assert float(opening.get("width", 0)) == pytest.approx(10 * per_day, abs=0.1)

    def test_window_wording_appears_beside_the_bar(self) -> None:
        row = self._row(_svg(_page()), "Estimated program")
        labels = [t.text for t in row.iter(f"{SVG}text") if t.get("class") == "when"]
        assert labels == ["opens mid Oct, closes Dec"]

    def test_confirmed_wording_names_the_days(self) -> None:
        row = self._row(_svg(_page()), "Confirmed")
        labels = [t.text for t in row.iter(f"{SVG}text") if t.get("class") == "when"]
        assert labels == ["opens 1 Sep, deadline 15 Oct"]

    def test_year_round_program_spans_the_whole_cycle(self) -> None:
        svg = _svg(_page())
        row = self._row(svg, "Year-round program")
        bar = next(row.iter(f"{SVG}rect"))
        assert float(bar.get("x", 0)) == float(svg.get("data-left", 0))
        assert float(bar.get("width", 0)) == pytest.approx(
            float(svg.get("data-right", 0)) - float(svg.get("data-left", 0)))

    def test_watch_list_programs_are_listed_not_charted(self) -> None:
        page = _page()
        watch = re.search(r'<ul class="watch">.*?</ul>', page, re.S)
        assert watch and "Someday Watch-list program" in watch.group(0)
        assert "Nothing published &lt;yet&gt;." in watch.group(0)
        assert self._rows(_svg(page), "Watch-list") == []

    def test_tracks_head_their_rows(self) -> None:
        tracks = [t.text for t in _svg(_page()).iter(f"{SVG}text") if t.get("class") == "track"]
        assert tracks == ["Research & <labs>", "Applied"]

    def test_legend_explains_estimates(self) -> None:
        assert "Estimated: the date falls somewhere in here" in _page()

    def test_today_marker_is_hidden_until_the_script_places_it(self) -> None:
        marker = [g for g in _svg(_page()).iter(f"{SVG}g") if g.get("class") == "today-marker"]
        assert len(marker) == 1 and marker[0].get("style") == "display:none"

    def test_every_dated_window_is_in_the_text_table(self) -> None:
        table = re.search(r"<table>.*?</table>", _page(), re.S)
        assert table
        text = table.group(0)
        assert "Deadline: 15 October 2026, 23:59 America/New_York (confirmed)" in text
        assert "Opens: mid-October 2026 (estimate)<br>Closes: December 2026 (estimate)" in text
        assert "Open all year, rolling admission" in text

    @staticmethod
    def _rows(svg: ET.Element, name: str) -> list[ET.Element]:
        return [g for g in svg.iter(f"{SVG}g") if g.get("class") == "row"
                and any(name in (t.text or "") for t in g.iter(f"{SVG}text")
                        if t.get("class") == "name")]

    def _row(self, svg: ET.Element, name: str) -> ET.Element:
        rows = self._rows(svg, name)
        assert len(rows) == 1
        return rows[0]


class TestBuildWritesThePage:
    def test_build_returns_the_page_with_the_feeds(self) -> None:
        result = build(DATA, file="test.yaml")
        assert result.picker is not None
        picked = {each.spec.path for each in result.picker.feeds}
        assert set(result.files) == {spec.path for spec in result.feeds} | {"index.html"} | \
            picked | {"picked/choices.json"}

    def test_cli_writes_index_html(self, tmp_path: Path) -> None:
        data = tmp_path / "data.yaml"
        data.write_bytes(DATA)
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(tmp_path / "out"),
                                           "--as-of", "2026-08-01", "--base-url", BASE])
        assert result.exit_code == 0, result.output
        page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
        assert "webcal://calendars.example.org/ml/all.ics" in page

    def test_cli_refuses_a_base_url_that_is_not_http(self, tmp_path: Path) -> None:
        data = tmp_path / "data.yaml"
        data.write_bytes(DATA)
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(tmp_path / "out"),
                                           "--base-url", "ftp://x.org/"])
        assert result.exit_code == 2
        assert "must be an http:// or https:// address" in result.output

    def test_cli_refuses_a_base_url_with_a_query(self, tmp_path: Path) -> None:
        data = tmp_path / "data.yaml"
        data.write_bytes(DATA)
        result = CliRunner().invoke(main, ["build", str(data), "-o", str(tmp_path / "out"),
                                           "--base-url", "https://x.org/?a=1"])
        assert result.exit_code == 2
        assert "without ? or #" in result.output

    def test_a_stale_page_of_ours_is_pruned_like_a_feed(self, tmp_path: Path) -> None:
        write_tree(tmp_path, {"all.ics": b"x", "old/index.html": b"stale"})
        report = write_tree(tmp_path, {"all.ics": b"x"})
        assert report.removed == ("old/index.html",)

    def test_a_page_someone_else_wrote_is_kept(self, tmp_path: Path) -> None:
        (tmp_path / "old").mkdir()
        (tmp_path / "old" / "index.html").write_text("theirs")
        report = write_tree(tmp_path, {"all.ics": b"x"})
        assert (report.removed, (tmp_path / "old" / "index.html").read_text()) == ((),
                                                                                   "theirs")

    def test_the_page_names_its_generator_so_a_build_knows_it_as_its_own(self) -> None:
        from deadlinecal.output.plan import recognise

        page = build(DATA, file="t.yaml").files["index.html"]
        assert recognise("index.html", page[:4096])

    def test_the_data_file_may_declare_base_url(self) -> None:
        data = DATA.replace(b"  timezone:", b"  base_url: https://d.example.org/c\n  timezone:")
        assert load_dataset(data, file="t.yaml").dataset.base_url == "https://d.example.org/c"

    def test_a_base_url_that_is_not_http_is_a_data_error(self) -> None:
        from deadlinecal.errors import DataError

        data = DATA.replace(b"  timezone:", b"  base_url: ftp://d.example.org/\n  timezone:")
        with pytest.raises(DataError, match=r"dataset\.base_url"):
            load_dataset(data, file="t.yaml")

    def test_schema_declares_base_url(self) -> None:
        shipped = json.loads((ROOT / "src/deadlinecal/schema/deadlinecal.schema.json")
                             .read_text(encoding="utf-8"))
        assert "base_url" in shipped["properties"]["dataset"]["properties"]


class TestReadme:
    def test_has_subscribing_and_serving_sections(self) -> None:
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert "\n## Subscribing\n" in readme and "\n## Serving\n" in readme

    @pytest.mark.parametrize("term", ["--base-url", "base_url:", "deadlinecal serve",
                                      "--host", "--port", "webcal://", "From URL",
                                      "Subscribe from web", "REFRESH-INTERVAL"])
    def test_mentions(self, term: str) -> None:
        assert term in (ROOT / "README.md").read_text(encoding="utf-8")


class TestLongProgramLists:
    def test_a_card_names_at_most_a_hundred_programs_then_counts_the_rest(self) -> None:
        from deadlinecal.site import build

        from .helpers import dataset_yaml, program

        text = dataset_yaml(*(program(f"p{i:03d}", windows='- opens: "2026-10-14"')
                              for i in range(130)))
        page = build(text, file="t.yaml").files["index.html"].decode()
        card = page[page.index('id="feed-all"'):]
        card = card[:card.index("</article>")]
        assert card.count("<li>Acme Program p") == 100
        assert "<li>and 30 more (see" in card


class TestTemplate:
    def test_the_templates_ship_with_the_package(self) -> None:
        from importlib.resources import files

        folder = files("deadlinecal.page").joinpath("templates")
        assert {"page.html.j2", "timeline.svg.j2", "page.css", "page.js.j2"} <= {
            entry.name for entry in folder.iterdir()}
        assert '"page/templates/*"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")

    def test_the_template_escapes_what_it_is_given(self) -> None:
        from deadlinecal.page.index import _environment

        assert _environment().autoescape is True
        assert _environment().from_string("{{ x }}").render(x="<b>&'\"") == \
            "&lt;b&gt;&amp;&#39;&#34;"

    @pytest.mark.parametrize("module", ["page/index.py", "page/timeline.py"])
    def test_the_page_modules_are_small_rooms(self, module: str) -> None:
        import ast

        text = (ROOT / "src" / "deadlinecal" / module).read_text(encoding="utf-8")
        assert text.count("\n") <= 500
        long = [node.name for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.FunctionDef | ast.ClassDef)
                and (node.end_lineno or 0) - node.lineno + 1 > 150]
        assert long == []

"""The subscribe page in a real browser: Debian's chromium driven by Playwright.

The page is served by `deadlinecal serve`'s own server over a real local socket. A missing
browser fails these tests; scripts/test installs it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from deadlinecal.commands.serve import serve_in_thread
from deadlinecal.events.select import select
from deadlinecal.output.write import write_tree
from deadlinecal.page.index import (
    GOOGLE_FROM_URL,
    MAX_ADDRESS,
    OUTLOOK_ADD_FROM_WEB,
    feed_url,
    webcal_url,
)
from deadlinecal.page.picker import Choice
from deadlinecal.site import Build, build

from .helpers import dataset_yaml, program

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "ml-internships-summer-2027.yaml"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BASE = "https://calendars.example.org/ml-2027/"
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class Site:
    origin: str
    with_base: Build
    plain: Build
    root: Path
    # Every choice of the default data keeps a program (a group the source does not state
    # keeps it): data whose program the source rules out for undergraduates.
    closed: Build


@dataclass
class Visit:
    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("site")
    data = DATA.read_bytes()
    with_base = build(data, file=str(DATA), base_url=BASE)
    plain = build(data, file=str(DATA))
    write_tree(root / "published", with_base.files)
    write_tree(root / "plain", plain.files)
    closed = build(dataset_yaml(program(eligibility="{open_to: [phd], closed_to: [undergrad]}",
                                        windows='- opens: "2026-10"')), file="closed.yaml")
    write_tree(root / "closed", closed.files)
    server, thread = serve_in_thread(root, "127.0.0.1", 0)
    host, port = server.server_address[:2]
    yield Site(origin=f"http://{host}:{port}", with_base=with_base, plain=plain, root=root,
               closed=closed)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/test`, which installs Debian's "
                    "chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, url: str, *, width: int = 1280, height: int = 900,
          now: dt.datetime | None = None, script: bool = True) -> Visit:
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=script)
    page = context.new_page()
    visit = Visit(page=page)
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.on("requestfailed", lambda r: visit.errors.append(f"failed: {r.url}"))
    page.on("request", lambda r: visit.requests.append(r.url))
    if now is not None:
        page.clock.set_fixed_time(now)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200
    return visit


@pytest.fixture
def published(browser: Any, site: Site) -> Iterator[Visit]:
    visit = _open(browser, f"{site.origin}/published/index.html")
    yield visit
    visit.page.context.close()


@pytest.fixture
def plain(browser: Any, site: Site) -> Iterator[Visit]:
    visit = _open(browser, f"{site.origin}/plain/index.html")
    yield visit
    visit.page.context.close()


def _attribute(visit: Visit, selector: str, name: str) -> list[str]:
    return list(visit.page.eval_on_selector_all(
        selector, f"els => els.map(e => e.getAttribute({name!r}))"))


class TestLoads:
    def test_no_console_errors_with_a_base_url(self, published: Visit) -> None:
        assert published.errors == []

    def test_no_console_errors_without_a_base_url(self, plain: Visit) -> None:
        assert plain.errors == []

    def test_nothing_is_fetched_from_elsewhere(self, published: Visit, site: Site) -> None:
        assert published.requests == [f"{site.origin}/published/index.html"]

    def test_title_names_the_dataset(self, published: Visit, site: Site) -> None:
        assert published.page.title().startswith(site.with_base.dataset.title)


class TestSubscribeLinks:
    def test_apple_links_are_webcal_from_the_base_url(self, published: Visit,
                                                       site: Site) -> None:
        expected = [webcal_url(feed_url(BASE, spec.path)) for spec in site.with_base.feeds]
        assert _attribute(published, "#feeds a[data-link=apple]", "href") == expected

    def test_addresses_to_copy_are_https_from_the_base_url(self, published: Visit,
                                                           site: Site) -> None:
        values = published.page.eval_on_selector_all("#feeds input.url",
                                                  "els => els.map(e => e.value)")
        assert values == [feed_url(BASE, spec.path) for spec in site.with_base.feeds]

    def test_google_links_open_the_from_url_form(self, published: Visit, site: Site) -> None:
        hrefs = _attribute(published, "#feeds a[data-link=google]", "href")
        assert hrefs == [GOOGLE_FROM_URL] * len(site.with_base.feeds)

    def test_outlook_links_carry_the_https_address(self, published: Visit,
                                                   site: Site) -> None:
        hrefs = _attribute(published, "#feeds a[data-link=outlook]", "href")
        urls = []
        for href in hrefs:
            parts = urlsplit(href)
            assert f"{parts.scheme}://{parts.netloc}{parts.path}" == OUTLOOK_ADD_FROM_WEB
            urls.append(parse_qs(parts.query)["url"][0])
        assert urls == [feed_url(BASE, spec.path) for spec in site.with_base.feeds]

    def test_download_links_resolve_to_the_real_feeds(self, published: Visit,
                                                      site: Site) -> None:
        links = published.page.eval_on_selector_all("#feeds a[data-link=download]",
                                                    "els => els.map(e => e.href)")
        assert len(links) == len(site.with_base.feeds)
        for link, spec in zip(links, site.with_base.feeds, strict=True):
            response = published.page.request.get(link)
            assert response.status == 200, link
            assert response.headers["content-type"] == "text/calendar; charset=utf-8"
            assert response.body() == site.with_base.files[spec.path]

    def test_every_link_has_text(self, published: Visit) -> None:
        texts = published.page.eval_on_selector_all(
            "a", "els => els.map(e => e.textContent.trim())")
        assert texts and all(texts)


class TestWithoutBaseUrl:
    def test_the_notice_shows_this_servers_address(self, plain: Visit, site: Site) -> None:
        note = plain.page.locator(".live-address")
        assert note.is_visible()
        assert note.inner_text() == f"Using this page's address: {site.origin}/plain/"

    def test_apple_links_use_this_servers_address(self, plain: Visit, site: Site) -> None:
        host = urlsplit(site.origin).netloc
        expected = [f"webcal://{host}/plain/{spec.path}" for spec in site.plain.feeds]
        assert _attribute(plain, "#feeds a[data-link=apple]", "href") == expected

    def test_addresses_use_this_servers_address(self, plain: Visit, site: Site) -> None:
        values = plain.page.eval_on_selector_all("#feeds input.url",
                                              "els => els.map(e => e.value)")
        assert values == [f"{site.origin}/plain/{spec.path}" for spec in site.plain.feeds]


class TestToday:
    def test_today_is_marked_inside_the_cycle(self, browser: Any, site: Site) -> None:
        visit = _open(browser, f"{site.origin}/published/index.html",
                      now=dt.datetime(2026, 11, 28, 12, 0))
        try:
            marker = visit.page.locator("svg.wide .today-marker")
            assert marker.is_visible()
            note = visit.page.locator(".today-note")
            assert note.inner_text() == "Today, 28 November 2026, is marked on the timeline."
            svg = visit.page.locator("svg.wide")
            left, right, days = (float(svg.get_attribute(n) or 0)
                                 for n in ("data-left", "data-right", "data-days"))
            offset = (dt.date(2026, 11, 28) - site.with_base.dataset.cycle_starts).days
            expected = left + (offset + 0.5) * (right - left) / days
            transform = marker.get_attribute("transform") or ""
            assert transform == f"translate({expected:.1f},0)"
        finally:
            visit.page.context.close()

    def test_today_outside_the_cycle_is_not_marked(self, browser: Any, site: Site) -> None:
        visit = _open(browser, f"{site.origin}/published/index.html",
                      now=dt.datetime(2031, 1, 1, 12, 0))
        try:
            assert not visit.page.locator("svg.wide .today-marker").is_visible()
            assert not visit.page.locator(".today-note").is_visible()
        finally:
            visit.page.context.close()


class TestLayout:
    def test_desktop_shows_the_wide_timeline(self, published: Visit) -> None:
        assert published.page.locator("svg.wide").is_visible()
        assert not published.page.locator("svg.narrow").is_visible()

    def test_phone_shows_the_narrow_timeline(self, browser: Any, site: Site) -> None:
        visit = _open(browser, f"{site.origin}/published/index.html", width=390, height=844)
        try:
            assert visit.page.locator("svg.narrow").is_visible()
            assert not visit.page.locator("svg.wide").is_visible()
        finally:
            visit.page.context.close()

    def test_phone_page_does_not_scroll_sideways(self, browser: Any, site: Site) -> None:
        visit = _open(browser, f"{site.origin}/published/index.html", width=390, height=844)
        try:
            assert visit.page.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            visit.page.context.close()


def _axe_violations(page: Any) -> list[str]:
    """Run axe-core (WCAG 2.2 AA and best practices) on the page as it stands."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `bash scripts/test`, which installs axe-core")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           AXE_TAGS)
    return [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in result["violations"]]


class TestAccessibility:
    """axe-core checks headings, link text, names, landmarks and colour contrast."""

    @pytest.mark.parametrize("folder", ["published", "plain"])
    @pytest.mark.parametrize("width", [1280, 390])
    def test_no_axe_violations_with_everything_unfolded(self, browser: Any, site: Site,
                                                        folder: str, width: int) -> None:
        visit = _open(browser, f"{site.origin}/{folder}/index.html", width=width,
                      now=dt.datetime(2026, 11, 28, 12, 0))
        try:
            visit.page.evaluate("document.querySelectorAll('details').forEach(d => "
                                "d.open = true)")
            assert _axe_violations(visit.page) == []
        finally:
            visit.page.context.close()

    def test_axe_does_report_a_planted_problem(self, browser: Any) -> None:
        page = browser.new_page()
        try:
            page.set_content("<!doctype html><html lang='en'><title>t</title><main>"
                             "<p style='color:#bbb;background:#fff'>faint</p>"
                             "<a href='x.ics'></a></main></html>")
            found = " ".join(_axe_violations(page))
            assert "color-contrast" in found and "link-name" in found
        finally:
            page.close()


class TestScreenshots:
    @pytest.mark.parametrize(("name", "width"), [("desktop", 1280), ("phone", 390)])
    def test_screenshot_is_written(self, browser: Any, site: Site, name: str,
                                   width: int) -> None:
        visit = _open(browser, f"{site.origin}/published/index.html", width=width,
                      now=dt.datetime(2026, 11, 28, 12, 0))
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            target = ARTIFACTS / f"subscribe-page-{name}.png"
            target.unlink(missing_ok=True)
            visit.page.screenshot(path=str(target), full_page=True)
            assert target.read_bytes().startswith(PNG)
            assert visit.errors == []
        finally:
            visit.page.context.close()


# Choices to pick in the browser: (tracks, stage of study, citizenship).
CHOICES = [(("research",), "phd", "other"), (("quant",), "any", "any"),
           ((), "undergrad", "us-citizen"), (("applied",), "masters", "any")]


def _pick(page: Any, tracks: tuple[str, ...], group: str, status: str) -> None:
    page.locator(f"form.picker input[name=track][value='{tracks[0] if tracks else 'any'}']"
                 ).check()
    page.locator(f"form.picker input[name=eligibility][value='{group}']").check()
    page.locator(f"form.picker input[name=citizenship][value='{status}']").check()
    page.locator("form.picker button[type=submit]").click()


def _expected(result: Build, tracks: tuple[str, ...], group: str, status: str) -> list[str]:
    choice = Choice(tracks, "" if group == "any" else group, "" if status == "any" else status)
    return [event.uid for event in select(result.events, choice.filter)]


def _uids(content: bytes) -> list[str]:
    import icalendar

    return [str(event["UID"]) for event in icalendar.Calendar.from_ical(content).events]


def _path(result: Build, tracks: tuple[str, ...], group: str, status: str) -> str:
    assert result.picker is not None
    return dict((c.key, p) for c, p in result.picker.choices)[
        f"{'+'.join(tracks) or 'any'}|{group}|{status}"]


class TestPicker:
    @pytest.mark.parametrize(("tracks", "group", "status"), CHOICES)
    def test_the_address_picked_holds_exactly_the_chosen_events(
            self, plain: Visit, site: Site, tracks: tuple[str, ...], group: str,
            status: str) -> None:
        _pick(plain.page, tracks, group, status)
        result = plain.page.locator("#picker-result")
        assert result.is_visible()
        address = result.locator("input.url").input_value()
        assert address.startswith(f"{site.origin}/plain/picked/")
        response = plain.page.request.get(address)
        assert response.status == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert _uids(response.body()) == _expected(site.plain, tracks, group, status)
        host = urlsplit(site.origin).netloc
        apple = result.locator("a[data-link=apple]").get_attribute("href")
        assert apple == f"webcal://{host}/plain/{_path(site.plain, tracks, group, status)}"
        assert plain.errors == []

    def test_a_published_page_gives_the_public_address(self, published: Visit,
                                                      site: Site) -> None:
        _pick(published.page, ("research",), "phd", "other")
        path = _path(site.with_base, ("research",), "phd", "other")
        result = published.page.locator("#picker-result")
        assert result.locator("input.url").input_value() == feed_url(BASE, path)
        assert result.locator("a[data-link=apple]").get_attribute("href") == \
            webcal_url(feed_url(BASE, path))
        outlook = urlsplit(result.locator("a[data-link=outlook]").get_attribute("href") or "")
        assert parse_qs(outlook.query)["url"] == [feed_url(BASE, path)]
        assert result.locator("a[data-link=google]").get_attribute("href") == GOOGLE_FROM_URL
        download = result.locator("a[data-link=download]").evaluate("a => a.href")
        assert published.page.request.get(download).body() == site.with_base.files[path]
        # Titled by the whole choice (once by the simplest choice sharing its programs).
        assert result.locator("h3").inner_text() == (
            "Your calendar: Research, for PhD students, no citizenship rule stated against "
            "Everyone else (including international students)")

    def test_the_choice_stays_in_the_address_bar_and_comes_back(
            self, browser: Any, published: Visit, site: Site) -> None:
        _pick(published.page, ("quant",), "undergrad", "any")
        url = published.page.url
        assert "?track=quant&eligibility=undergrad&citizenship=any" in url
        again = _open(browser, url)
        try:
            result = again.page.locator("#picker-result")
            assert result.is_visible()
            path = _path(site.with_base, ("quant",), "undergrad", "any")
            assert result.locator("input.url").input_value() == feed_url(BASE, path)
            assert again.page.locator("form.picker input[value=quant]").is_checked()
        finally:
            again.page.context.close()

    def test_a_choice_no_program_fits_says_so_and_still_gives_its_address(
            self, browser: Any, site: Site) -> None:
        assert site.closed.picker is not None
        empty = next(c for c, _ in site.closed.picker.choices
                     if not select(site.closed.events, c.filter))
        visit = _open(browser, f"{site.origin}/closed/index.html")
        try:
            _pick(visit.page, empty.tracks, empty.eligibility or "any",
                  empty.citizenship or "any")
            result = visit.page.locator("#picker-result")
            assert result.locator(".none").is_visible()
            assert result.locator("input.url").input_value().endswith(empty.address)
        finally:
            visit.page.context.close()

    def test_the_table_of_every_choice_starts_folded_with_a_script(self,
                                                                   published: Visit) -> None:
        assert published.page.locator("#every-choice").get_attribute("open") is None


class TestPickerWithoutJavaScript:
    @pytest.mark.parametrize("folder", ["published", "plain"])
    def test_the_form_leads_to_a_table_whose_link_gives_the_feed(
            self, browser: Any, site: Site, folder: str) -> None:
        visit = _open(browser, f"{site.origin}/{folder}/index.html", script=False)
        result = site.with_base if folder == "published" else site.plain
        try:
            page = visit.page
            assert page.locator("#every-choice").get_attribute("open") == ""
            _pick(page, ("research",), "phd", "other")
            page.wait_for_url("**#every-choice")
            assert "track=research&eligibility=phd&citizenship=other" in page.url
            assert not page.locator("#picker-result").is_visible()
            page.locator("a[data-choice='research|phd|other']").click()
            path = _path(result, ("research",), "phd", "other")
            anchor = "p-" + path.removeprefix("picked/").removesuffix(".ics").replace(".", "-")
            entry = page.locator(f"#{anchor}")
            assert page.url.endswith(f"#{anchor}")
            download = entry.locator("a[data-link=download]").evaluate("a => a.href")
            assert download == f"{site.origin}/{folder}/{path}"
            body = page.request.get(download).body()
            assert _uids(body) == _expected(result, ("research",), "phd", "other")
            shown = entry.locator("input.url").input_value()
            assert shown == (feed_url(BASE, path) if folder == "published" else path)
        finally:
            visit.page.context.close()


class TestAddressLength:
    @pytest.mark.parametrize("folder", ["published", "plain"])
    def test_every_address_the_page_offers_is_at_most_256_characters(
            self, browser: Any, site: Site, folder: str) -> None:
        visit = _open(browser, f"{site.origin}/{folder}/index.html")
        try:
            _pick(visit.page, ("applied",), "first-second-year", "other")
            addresses = visit.page.evaluate(
                "() => [...document.querySelectorAll('a[href], input.url')].map("
                "e => e.href || e.value).filter(u => /^(https?|webcal):/.test(u))")
            assert len(addresses) > 100
            assert max(len(a) for a in addresses) <= MAX_ADDRESS
        finally:
            visit.page.context.close()


class TestPickerScreens:
    @pytest.mark.parametrize("width", [1280, 390])
    def test_no_axe_violations_with_a_choice_shown(self, browser: Any, site: Site,
                                                    width: int) -> None:
        visit = _open(browser, f"{site.origin}/published/index.html", width=width)
        try:
            _pick(visit.page, ("research",), "phd", "other")
            assert _axe_violations(visit.page) == []
        finally:
            visit.page.context.close()

    @pytest.mark.parametrize(("name", "width", "script"), [
        ("desktop", 1280, True), ("phone", 390, True), ("no-javascript", 1280, False)])
    def test_screenshot_of_the_picker_is_written(self, browser: Any, site: Site, name: str,
                                                 width: int, script: bool) -> None:
        visit = _open(browser, f"{site.origin}/published/index.html", width=width,
                      script=script)
        try:
            if script:
                _pick(visit.page, ("research",), "phd", "other")
            ARTIFACTS.mkdir(exist_ok=True)
            target = ARTIFACTS / f"subscribe-page-picker-{name}.png"
            target.unlink(missing_ok=True)
            visit.page.locator("#picker").screenshot(path=str(target))
            assert target.read_bytes().startswith(PNG)
            assert visit.errors == []
        finally:
            visit.page.context.close()

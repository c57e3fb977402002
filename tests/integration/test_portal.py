"""The citizens' portal over the real database and broker: the public role is refused the
officers' data; every page type answers in Spanish with the security headers and no inline script;
the open-data files equal the public views; the map's layers come through the portal.

The browser tests (Debian's chromium through its chromedriver) are in test_portal_browser.py and
share the ``portal`` fixture below."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import asyncpg
import httpx
import pytest

from services.portal import opendata, present
from services.portal.store import PORTAL_ROLE, PORTAL_SCHEMA, public_reading
from shared.auth import issue_key
from shared.key_store import create_api_key
from tests.conftest import ROOT, ServiceProcess
from tests.integration.conftest import post_progress
from tests.integration.probes import eventually, progress_update

pytestmark = pytest.mark.integration

REPORTS = [
    progress_update("INI-001", as_of="2022-09-30", physical_progress_pct=10.0, spent_to_date_clp=50_000_000,
                    milestone_updates=[{"milestone_code": "INI-001-H1", "status": "done", "date": "2022-06-20"}],
                    indicator_measurements=[{"indicator_code": "INI-001-I1", "value": 1, "period": "2022-09"}]),
    progress_update("INI-001", as_of="2023-03-31", physical_progress_pct=35.0, spent_to_date_clp=180_000_000),
    progress_update("INI-002", as_of="2021-06-30", physical_progress_pct=100.0, spent_to_date_clp=10_000_000),
]
OFFICERS_DATA = [
    "SELECT * FROM initiative_officer", "SELECT owner_email FROM milestone", "SELECT head_email FROM department",
    "SELECT * FROM scorecard.milestone", "SELECT reporter FROM progress_report", "SELECT * FROM event_log",
    "SELECT actor FROM plan_revision", "SELECT * FROM scorecard.progress_report", "SELECT spec FROM plan",
    "SELECT management_unit_email FROM plan", "SELECT * FROM scorecard.plan_change",
]
PERSONAL_COLUMNS = re.compile(r"email|owner|reporter|actor|officer|head_|note|source_system")


@pytest.fixture(scope="module")
async def portal(kafka, database_url, sample_plan, tmp_path_factory):
    """The portal, the ingest and indicator services as processes, with a few reports applied."""
    env = {"PLADECO_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers, "PLADECO_DATABASE_URL": database_url,
           "PLADECO_STARTUP_TIMEOUT_S": "60"}
    logs = tmp_path_factory.mktemp("portal")
    started = []
    try:
        ingest = ServiceProcess("ingest", env, logs).start()
        started.append(ingest)
        indicators = ServiceProcess("indicators", env, logs).start()
        started.append(indicators)
        portal = ServiceProcess("portal", {**env, "PLADECO_PORTAL_INDICATORS_URL": indicators.url}, logs).start()
        started.append(portal)
        issued = issue_key()
        connection = await asyncpg.connect(database_url)
        try:
            await create_api_key(connection, key_id=issued.key_id, secret_sha256=issued.secret_sha256,
                                 source_system="portal-tests", units=None, description="tests", created_by="tests")

            for report in REPORTS:
                assert post_progress(ingest, report, issued.token).status_code == 202

            async def applied() -> bool:
                ids = [r["event_id"] for r in REPORTS]
                found = await connection.fetchval(
                    f"SELECT count(*) FROM {PORTAL_SCHEMA}.progress_history WHERE event_id = ANY($1::uuid[])", ids)
                return found == len(ids)

            await eventually(applied, what="the test reports in the public views")
        finally:
            await connection.close()
        yield portal
    finally:
        for service in reversed(started):
            service.stop()


async def as_portal_reader(database_url: str) -> asyncpg.Connection:
    connection = await asyncpg.connect(database_url)
    await connection.execute(f"SET ROLE {PORTAL_ROLE}")
    return connection


# --- the role -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", OFFICERS_DATA)
async def test_the_portal_role_is_refused_the_officers_data(database_url, sample_plan, query):
    connection = await as_portal_reader(database_url)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.fetch(query)
    finally:
        await connection.close()


async def test_the_portal_role_reads_every_public_view_and_none_has_a_personal_column(database_url, sample_plan):
    connection = await as_portal_reader(database_url)
    try:
        views = [r["viewname"] for r in await connection.fetch(
            "SELECT viewname FROM pg_views WHERE schemaname = $1", PORTAL_SCHEMA)]
        columns = await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1", PORTAL_SCHEMA)
        for view in views:
            await connection.fetch(f"SELECT * FROM {PORTAL_SCHEMA}.{view} LIMIT 1")
        assert await connection.fetchval(f"SELECT count(*) FROM {PORTAL_SCHEMA}.initiative") > 0
    finally:
        await connection.close()
    assert {"plan", "initiative", "milestone", "indicator", "progress_history", "rollup", "history_head"} <= set(views)
    personal = [f"{c['table_name']}.{c['column_name']}" for c in columns if PERSONAL_COLUMNS.search(c["column_name"])]
    assert personal == []


async def test_every_portal_query_runs_as_the_portal_role_in_a_read_only_transaction(db, sample_plan):
    async with public_reading(db) as connection:
        assert await connection.fetchval("SELECT current_user") == PORTAL_ROLE
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await connection.execute("CREATE TEMP TABLE x (a int)")


# --- the pages ------------------------------------------------------------------------------------


class PageScan(HTMLParser):
    """What the security and accessibility checks need from a page's markup."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.inline_handlers: list[str] = []
        self.style_attributes = 0
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.lang: str | None = None
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "script":
            if attributes.get("src"):
                self.scripts.append(attributes["src"])
            else:
                self.in_script = True
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes["href"])
        if "style" in attributes or tag == "style":
            self.style_attributes += 1
        self.inline_handlers += [name for name in attributes if name.startswith("on")]

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.inline_scripts += 1


def page_urls(url: str) -> dict[str, str]:
    return {
        "inicio": f"{url}/",
        "eje": f"{url}/ejes/EJE-1",
        "territorio": f"{url}/territorios/PUTRE-MEDIO",
        "localidad": f"{url}/localidades/BELEN",
        "iniciativa": f"{url}/iniciativas/INI-001",
        "busqueda": f"{url}/buscar?q=posta",
        "mapa": f"{url}/mapa",
        "datos": f"{url}/datos",
    }


def test_every_page_type_is_spanish_with_the_security_headers_and_no_inline_script(portal):
    for kind, url in page_urls(portal.url).items():
        answer = httpx.get(url, timeout=30)
        assert answer.status_code == 200, (kind, answer.text[:500])
        scan = PageScan()
        scan.feed(answer.text)
        assert scan.lang == "es-CL", kind
        assert (scan.inline_scripts, scan.inline_handlers, scan.style_attributes) == (0, [], 0), kind
        assert all(src.startswith("/static/") for src in scan.scripts + scan.stylesheets), kind
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_the_initiative_page_shows_progress_curve_milestones_budget_indicators_and_reports(portal):
    page = httpx.get(f"{portal.url}/iniciativas/INI-001", timeout=30).text
    assert "Reposición Posta de Salud Rural Belén" in page
    assert "35,0 %" in page  # the latest report's physical progress
    assert "<svg" in page and 'class="actual"' in page and "Tabla de la curva S" in page
    assert "Licitación de obras adjudicada" in page and "Cumplido con atraso" in page  # due 06-17, done 06-20
    assert "Presupuesto por fuente de financiamiento" in page
    assert "31-03-2023" in page and "30-09-2022" in page  # the last reports' dates
    assert "sofia.mamani" not in page and "@muniputre" not in page


def test_home_page_counts_by_status_with_words_and_weighs_under_250_kb(portal):
    answer = httpx.get(f"{portal.url}/", timeout=30)
    scan = PageScan()
    scan.feed(answer.text)
    weight = len(answer.content) + sum(
        len(httpx.get(f"{portal.url}{path}", timeout=30).content) for path in scan.scripts + scan.stylesheets)
    assert weight < 250_000
    for word in ("En plazo", "En riesgo", "Atrasada", "Vencida", "Terminada"):
        assert word in answer.text


def test_names_and_queries_are_escaped(portal):
    answer = httpx.get(f"{portal.url}/buscar", params={"q": '<script>alert("x")</script>'}, timeout=30)
    assert answer.status_code == 200
    assert "<script>alert" not in answer.text
    assert "&lt;script&gt;alert" in answer.text


def test_an_unknown_page_is_a_spanish_404(portal):
    answer = httpx.get(f"{portal.url}/iniciativas/INI-999", timeout=30)
    assert answer.status_code == 404
    assert 'lang="es-CL"' in answer.text and "INI-999" in answer.text


def test_the_search_finds_initiatives_without_accents(portal):
    page = httpx.get(f"{portal.url}/buscar", params={"q": "belen posta"}, timeout=30).text
    assert "/iniciativas/INI-001" in page


# --- open data ------------------------------------------------------------------------------------


async def view_rows(database_url: str, dataset: opendata.Dataset) -> list[dict]:
    from services.portal import store

    connection = await as_portal_reader(database_url)
    try:
        rows = await store.dataset(connection, dataset.name, dataset.columns)
    finally:
        await connection.close()
    return [{c: opendata.value_of(row, c) for c in dataset.columns} for row in rows]


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize("name", list(opendata.DATASETS))
async def test_each_open_data_file_equals_its_public_view(portal, database_url, name):
    dataset = opendata.DATASETS[name]
    expected = await view_rows(database_url, dataset)
    assert expected, f"{name} is empty: the test would prove nothing"

    answer = httpx.get(f"{portal.url}/datos/{name}.csv", timeout=30)
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8"))))
    assert rows[0] == list(dataset.columns)
    assert rows[1:] == [[as_text(r[c]) for c in dataset.columns] for r in expected]

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(httpx.get(f"{portal.url}/datos/{name}.xlsx", timeout=30).content))
    sheet = list(book[name].iter_rows(values_only=True))
    assert list(sheet[0]) == list(dataset.columns)
    differing = [(i, c, got, row[c]) for i, (cells, row) in enumerate(zip(sheet[1:], expected, strict=True))
                 for c, got in zip(dataset.columns, cells, strict=True) if got != row[c]]
    assert len(sheet) == len(expected) + 1
    assert differing == []

    collection = httpx.get(f"{portal.url}/datos/{name}.geojson", timeout=30).json()
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"] for f in collection["features"]] == expected
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])


async def test_the_dcat_catalogue_names_licence_update_date_every_file_and_the_history_head(portal, database_url):
    catalogue = httpx.get(f"{portal.url}/datos/catalogo.jsonld", timeout=30).json()
    connection = await asyncpg.connect(database_url)
    try:
        head = await connection.fetchval("SELECT hash FROM event_log ORDER BY seq DESC LIMIT 1")
        judged_on = await connection.fetchval("SELECT max(judged_on) FROM scorecard.initiative")
    finally:
        await connection.close()
    assert catalogue["@type"] == "dcat:Catalog"
    assert catalogue["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
    assert catalogue["dct:modified"]["@value"] == judged_on.isoformat()
    assert catalogue["dct:identifier"] == head
    urls = [d["dcat:downloadURL"]["@id"] for s in catalogue["dcat:dataset"] for d in s["dcat:distribution"]]
    assert len(urls) == len(opendata.DATASETS) * len(opendata.FORMATS)
    for url in urls:
        path = url.split("://", 1)[1].split("/", 1)[1]
        assert httpx.get(f"{portal.url}/{path}", timeout=30).status_code == 200, url
    assert head in httpx.get(f"{portal.url}/datos", timeout=30).text


def test_the_map_layers_come_through_the_portal(portal):
    for name in ("territorios", "localidades", "diagnostico", "imagen-objetivo", "plan-inversiones"):
        answer = httpx.get(f"{portal.url}/gis/{name}.geojson", timeout=30)
        assert answer.status_code == 200, name
        assert answer.json()["type"] == "FeatureCollection"
    leaflet = httpx.get(f"{portal.url}/static/vendor/leaflet/leaflet.js", timeout=30)
    assert leaflet.status_code == 200 and "Leaflet" in leaflet.text[:2000]
    assert httpx.get(f"{portal.url}/static/vendor/../package.json", timeout=30).status_code == 404



# --- in a real browser: Debian's chromium, axe-core, the keyboard ------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = ROOT / "var" / "portal" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert Path(CHROMEDRIVER).exists() and Path(CHROMIUM).exists(), "run deploy/install.sh (chromium, chromium-driver)"
    assert AXE.exists(), f"{AXE} is missing: run deploy/install.sh"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,900", "--lang=es-CL"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def axe_violations(driver) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations of the page now in the browser (axe injected from
    the copy deploy/install.sh put under var/, not from a CDN)."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary).slice(0, 5)}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        WCAG_AA,
    )
    return result


@pytest.mark.parametrize("kind", list(page_urls("")))
def test_every_page_type_passes_axe_core_wcag_21_aa_in_chromium(portal, browser, kind):
    browser.get(page_urls(portal.url)[kind])
    if kind == "mapa":
        wait_for(browser, "return document.querySelectorAll('.leaflet-marker-icon').length > 0")
    assert browser.execute_script("return document.documentElement.lang") == "es-CL"
    assert axe_violations(browser) == []


def wait_for(driver, script: str, timeout_s: float = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout_s).until(lambda d: d.execute_script(script))


def test_the_keyboard_reaches_the_content_the_menu_and_the_search(portal, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{portal.url}/")
    focused = []
    for _ in range(8):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused.append(browser.execute_script(
            "const e = document.activeElement; return (e.id || e.getAttribute('href') || e.tagName);"))
    assert focused[0] == "#contenido"  # the skip link comes first
    assert {"/", "/mapa", "/datos", "/buscar", "q-top"} <= set(focused)
    # Every focused element is visibly outlined.
    browser.get(f"{portal.url}/")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    outline = browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.execute_script("return document.activeElement.id") == "contenido"
    # The search works from the keyboard alone.
    browser.get(f"{portal.url}/buscar")
    browser.find_element("id", "q").send_keys("posta belen", Keys.ENTER)
    wait_for(browser, "return location.search.includes('posta')")
    assert "/iniciativas/INI-001" in browser.page_source


def test_the_map_markers_are_reached_and_opened_with_the_keyboard(portal, browser):
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{portal.url}/mapa")
    wait_for(browser, "return document.querySelectorAll('.leaflet-marker-icon').length > 0")
    marker = browser.find_element("css selector", ".leaflet-marker-icon")
    assert marker.get_attribute("tabindex") == "0"
    label = marker.get_attribute("aria-label")
    status_words = [m.label for m in present.STATUS_MARKS.values()]
    assert any(word in label for word in status_words)  # the status in words, not colour only
    assert marker.text.strip() in {m.symbol for m in present.STATUS_MARKS.values()}  # and a shape
    browser.execute_script("arguments[0].focus()", marker)
    marker.send_keys(Keys.ENTER)
    wait_for(browser, "return document.querySelector('.leaflet-popup-content a') !== null")
    link = browser.find_element("css selector", ".leaflet-popup-content a")
    assert link.get_attribute("href").split("/iniciativas/")[1]
    assert browser.execute_script("return document.querySelectorAll('.leaflet-interactive, path').length") > 0


def test_the_axe_check_finds_violations_where_there_are_some(browser):
    browser.get("data:text/html;charset=utf-8,<html><body><img src='x.png'><a href='/'></a></body></html>")
    assert {v["id"] for v in axe_violations(browser)} >= {"html-has-lang", "image-alt", "link-name"}

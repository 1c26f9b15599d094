"""The web page in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

The real app (``synthframe.server.create_app()``) runs on loopback in a background thread;
the tests use the page the way a person would — by mouse, then by keyboard alone — with the
bundled example's real files, download what it generates and check the files with the
library (``read_samples``, ``validate``). A screenshot at 1366x768 is saved at every step to
``$SYNTHFRAME_ARTIFACTS/browser/`` (default ``test-artifacts/browser/``).

Needs ``pip install playwright`` (no ``playwright install``: the system Chromium is used) and
``apt-get install chromium``; without them the module is skipped. The browser's own file dialog
cannot be driven by any test tool, so files are handed to the focused file input (or to the
file chooser a click opens) with Playwright's ``set_input_files``/``set_files``.

Set ``SYNTHFRAME_UPDATE_SCREENSHOT=1`` to also write ``docs/screenshot.png`` (the README's picture).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("flask", reason="the server extra is not installed (pip install '.[server]')")
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")


def _find_chromium() -> str | None:
    candidates = [os.environ.get("SYNTHFRAME_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                  shutil.which("chromium-browser")]
    return next((c for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


CHROMIUM = _find_chromium()
if CHROMIUM is None:
    pytest.skip("no Chromium found (apt-get install chromium, or set SYNTHFRAME_CHROMIUM)", allow_module_level=True)

import synthframe as sf  # noqa: E402
from synthframe.examples import example_samples_dir, example_schema_path  # noqa: E402
from synthframe.server import ServerConfig, create_app  # noqa: E402

expect = sync_api.expect
Page = sync_api.Page

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("SYNTHFRAME_ARTIFACTS") or ROOT / "test-artifacts") / "browser"
VIEWPORT = {"width": 1366, "height": 768}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
TABLES = ["customers", "products", "orders", "order_items", "reviews"]
COUNTS = {"customers": 120, "products": 30, "orders": 300, "order_items": 700, "reviews": 150}
SAMPLE_FILES = [str(example_samples_dir() / f"{t}.csv") for t in ["customers", "order_items", "orders", "products",
                                                                  "reviews"]]
SCHEMA_FILE = str(example_schema_path())
TIMEOUT_MS = 20_000


# -- fixtures -----------------------------------------------------------------------------

@contextlib.contextmanager
def _serve(app: Any, path: str = "/") -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a background thread; yield the page's URL."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}{path}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with _serve(create_app(ServerConfig(max_rows=100_000))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser: Any, server_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server_url)
    expect(page.locator("#version")).to_contain_text("synthframe")  # the script ran and reached the API
    failed = request.session.testsfailed
    try:
        yield page
        if request.session.testsfailed > failed:  # keep the page as it was when the test failed
            shot(page, f"FAILED-{request.node.name}")
    finally:
        context.close()
    assert errors == [], f"uncaught errors in the page: {errors}"


_shots = {"n": 0}


def shot(page: Page, step: str) -> None:
    """Save the viewport (1366x768) as ``NN-step.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _shots["n"] += 1
    page.screenshot(path=str(ARTIFACTS / f"{_shots['n']:02d}-{step}.png"))


# -- helpers ------------------------------------------------------------------------------

def idle(page: Page) -> None:
    """Wait until no request of the page is running."""
    page.wait_for_function("!document.body.classList.contains('busy')")


def analyses(page: Page) -> int:
    return int(page.locator("#analysis").get_attribute("data-analyses") or 0)


def wait_analysis(page: Page, after: int) -> None:
    """Wait for an analysis newer than the ``after``-th to be shown, and for the page to be idle."""
    page.wait_for_function(f"Number(document.getElementById('analysis').dataset.analyses || 0) > {after}")
    idle(page)


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate("""() => { const el = document.activeElement;
        return {id: el.id, tag: el.tagName.toLowerCase(), table: el.dataset.table || null,
                label: el.getAttribute('aria-label'), text: el.textContent.trim(),
                outline: getComputedStyle(el).outlineStyle, outlineWidth: getComputedStyle(el).outlineWidth}; }""")


def tab(page: Page, **want: Any) -> dict[str, Any]:
    """Press Tab and check the element that receives focus (by id, tag, data-table or aria-label)."""
    page.keyboard.press("Tab")
    now = focused(page)
    for key, value in want.items():
        assert now[key] == value, (f"Tab moved focus to {now}, expected {key}={value!r}; status: "
                                   f"{page.locator('#status-text').inner_text()!r}, alert: "
                                   f"{page.locator('#alert').inner_text()!r}")
    # Keyboard focus is visible: the page's outline, not the browser's default removed.
    assert now["outline"] != "none" and now["outlineWidth"] != "0px", f"no visible focus outline on {now}"
    return now


def type_over(page: Page, text: str) -> None:
    """Replace the focused field's text by typing."""
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def check_analysis(page: Page) -> None:
    """All five tables with their keys, and what was detected in a few telling columns."""
    cards = page.locator("#analysis .table-card")
    expect(cards).to_have_count(5)
    assert [cards.nth(i).get_attribute("data-table") for i in range(5)] == TABLES
    relations = page.locator("#analysis .relations li")
    assert sorted(relations.all_inner_texts()) == sorted([
        "orders.customer_id → customers.customer_id", "order_items.order_id → orders.order_id",
        "order_items.product_id → products.product_id", "reviews.customer_id → customers.customer_id",
        "reviews.product_id → products.product_id"])

    def card(table: str) -> Any:
        return page.locator(f'#analysis .table-card[data-table="{table}"]')

    expect(card("customers").locator("h3")).to_have_text("customers52 sample rows · 11 columns")
    expect(card("customers").locator(".keys")).to_contain_text("Primary key: customer_id")
    expect(card("order_items").locator(".keys")).to_contain_text("Primary key: order_id, line_number")
    expect(card("order_items").locator(".keys")).to_contain_text("Foreign key: order_id → orders.order_id")
    expect(card("order_items").locator(".keys")).to_contain_text("Foreign key: product_id → products.product_id")
    expect(card("reviews").locator(".keys")).to_contain_text("Foreign key: customer_id → customers.customer_id")
    # The arrows link to the parent's card.
    link = card("orders").locator(".keys a", has_text="customers")
    target = link.get_attribute("href")
    assert page.locator(target).get_attribute("data-table") == "customers"

    def cells(table: str, column: str) -> list[str]:
        return card(table).locator(f'tr[data-column="{column}"] td').all_inner_texts()

    assert cells("customers", "email")[:3] == ["email UNIQUE", "string", "text: email"]
    assert cells("customers", "phone")[4] == "5.8%"  # 3 of 52 phones are empty
    assert cells("products", "sku")[2] == "format SKU-#####"
    assert cells("customers", "customer_id")[:3] == ["customer_id PK", "integer", "sequence 1, 2, …"]
    status = cells("orders", "status")
    assert status[2] == "5 values by frequency" and "delivered 70%" in status[3]
    assert cells("orders", "total")[3].startswith("log-normal\ns: 0.9 · scale: 90")
    assert cells("orders", "customer_id")[0] == "customer_id FK"
    assert cells("reviews", "body")[4] == "30%"


def fill_counts(page: Page, counts: dict[str, int]) -> None:
    for table, n in counts.items():
        box = page.locator(f'#counts input[data-table="{table}"]')
        box.click()
        box.fill(str(n))


def check_zip(path: Path, fmt: str, counts: dict[str, int], tmp: Path) -> None:
    """The download holds one file per table; read back with the schema, it has the counts and no problem."""
    folder = tmp / f"unzipped-{fmt}"
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(f"{t}.{fmt}" for t in TABLES)
        archive.extractall(folder)
    schema = sf.Schema.from_json(SCHEMA_FILE)
    data = sf.read_samples(folder, schema)
    assert {t: len(df) for t, df in data.items()} == counts
    problems = sf.validate(data, schema)
    assert problems.empty, problems.head().to_string()


def check_json(path: Path, counts: dict[str, int]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert list(document) == TABLES
    assert {t: len(rows) for t, rows in document.items()} == counts
    schema = sf.Schema.from_json(SCHEMA_FILE)
    data = sf.read_samples(document, schema)
    problems = sf.validate(data, schema)
    assert problems.empty, problems.head().to_string()


def drop_files(page: Page, files: dict[str, bytes]) -> None:
    """Drag and drop files onto the drop zone, as a file manager would."""
    handle = page.evaluate_handle("""(files) => { const dt = new DataTransfer();
        for (const [name, text] of Object.entries(files)) dt.items.add(new File([text], name));
        return dt; }""", {k: v.decode("utf-8") for k, v in files.items()})
    zone = page.locator("#dropzone")
    for event in ("dragenter", "dragover", "drop"):
        zone.dispatch_event(event, {"dataTransfer": handle})


def upload_example(page: Page) -> None:
    before = analyses(page)
    page.set_input_files("#sample-files", SAMPLE_FILES)
    page.set_input_files("#schema-file", SCHEMA_FILE)
    wait_analysis(page, before)
    page.wait_for_function("document.getElementById('schema-text').value.includes('\"tables\"')")
    wait_analysis(page, before)
    expect(page.locator("#analysis .table-card")).to_have_count(5)


# -- 1. by mouse --------------------------------------------------------------------------

def test_mouse_upload_analyze_preview_and_download(page: Page, tmp_path: Path) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for button in ("#analyze", "#preview", "#generate"):
        expect(page.locator(button)).to_be_disabled()  # nothing to send yet
    shot(page, "mouse-empty")

    # The schema by drag and drop, the samples through the file chooser a click opens.
    before = analyses(page)
    drop_files(page, {"schema.json": Path(SCHEMA_FILE).read_bytes()})
    expect(page.locator("#schema-text")).to_have_value(Path(SCHEMA_FILE).read_text(encoding="utf-8"))
    wait_analysis(page, before)  # a schema alone: tables from types and hints, no sample rows
    expect(page.locator("#analysis .table-card")).to_have_count(5)
    before = analyses(page)
    with page.expect_file_chooser() as chooser:
        page.locator("#sample-files").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(SAMPLE_FILES)
    expect(page.locator("#file-list li")).to_have_count(5)
    wait_analysis(page, before)
    check_analysis(page)
    # Tables without a parent start at 10x their samples; children follow their parent.
    assert page.locator('#counts input[data-table="customers"]').input_value() == "520"
    assert page.locator('#counts input[data-table="orders"]').input_value() == ""
    expect(page.locator("#counts-total")).to_contain_text("about 4,200 rows")
    if os.environ.get("SYNTHFRAME_UPDATE_SCREENSHOT"):
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
    shot(page, "mouse-analyzed")

    fill_counts(page, COUNTS)
    expect(page.locator("#counts-total")).to_contain_text("about 1,300 rows")
    # Record the page's state whenever it turns busy: the buttons must be disabled, the spinner shown.
    page.evaluate("""() => { window.busyStates = [];
        new MutationObserver(() => { if (!document.body.classList.contains('busy')) return;
            const $ = (id) => document.getElementById(id);
            window.busyStates.push({buttons: ['analyze', 'preview', 'generate', 'clear'].map(id => $(id).disabled),
                                    ariaBusy: $('main').getAttribute('aria-busy'),
                                    spinner: getComputedStyle(document.querySelector('.spinner')).display !== 'none',
                                    status: $('status-text').textContent}); })
            .observe(document.body, {attributes: true, attributeFilter: ['class']}); }""")
    page.locator("#preview").click()
    previews = page.locator("#preview-out .preview-table")
    expect(previews).to_have_count(5)
    idle(page)
    for table, n in COUNTS.items():
        block = page.locator(f'#preview-out .preview-table[data-table="{table}"]')
        expect(block.locator("h3")).to_have_text(f"{table}first 10 of {n:,} rows")
        expect(block.locator("tbody tr")).to_have_count(10)
    headers = page.locator('#preview-out .preview-table[data-table="order_items"] th').all_inner_texts()
    assert headers == ["order_id", "line_number", "product_id", "quantity", "unit_price", "discount"]
    page.locator("#h-preview").scroll_into_view_if_needed()
    shot(page, "mouse-preview")
    assert page.evaluate("window.busyStates") == [{"buttons": [True] * 4, "ariaBusy": "true",
                                                    "spinner": True, "status": "Making a preview…"}]
    expect(page.locator("#preview")).to_be_enabled()

    page.locator("#format").select_option("csv")
    with page.expect_download() as download:
        page.locator("#generate").click()
    assert download.value.suggested_filename == "synthframe-csv.zip"
    target = tmp_path / "synthframe-csv.zip"
    download.value.save_as(target)
    idle(page)
    expect(page.locator("#status-text")).to_contain_text("Downloaded synthframe-csv.zip")
    expect(page.locator("#alert")).to_be_empty()
    shot(page, "mouse-downloaded-csv")
    check_zip(target, "csv", COUNTS, tmp_path)

    page.locator("#format").select_option("json")
    with page.expect_download() as download:
        page.locator("#generate").click()
    assert download.value.suggested_filename == "synthframe.json"
    target = tmp_path / "synthframe.json"
    download.value.save_as(target)
    idle(page)
    check_json(target, COUNTS)


# -- 2. by keyboard alone -----------------------------------------------------------------

def test_keyboard_only(page: Page, tmp_path: Path) -> None:
    extra = tmp_path / "notes.csv"  # a file chosen by mistake, removed below
    extra.write_text("note_id,text\n1,hello\n2,world\n", encoding="utf-8")
    tab(page, id="sample-files")
    before = analyses(page)
    page.locator(":focus").set_input_files([*SAMPLE_FILES, str(extra)])
    wait_analysis(page, before)
    expect(page.locator("#analysis .table-card")).to_have_count(6)
    shot(page, "keyboard-files")

    names = ["customers.csv", "order_items.csv", "orders.csv", "products.csv", "reviews.csv", "notes.csv"]
    for name in names:
        tab(page, tag="button", label=f"Remove {name}")
    before = analyses(page)
    page.keyboard.press("Enter")  # remove notes.csv
    expect(page.locator("#file-list li")).to_have_count(5)
    assert focused(page)["label"] == "Remove reviews.csv"  # focus stays in the list
    wait_analysis(page, before)
    expect(page.locator("#analysis .table-card")).to_have_count(5)

    tab(page, id="schema-file")
    before = analyses(page)
    page.locator(":focus").set_input_files(SCHEMA_FILE)
    wait_analysis(page, before)
    check_analysis(page)
    tab(page, id="schema-text")
    tab(page, id="analyze")
    before = analyses(page)
    page.keyboard.press("Enter")
    wait_analysis(page, before)
    assert focused(page)["id"] == "analyze"  # focus comes back after the button was disabled
    tab(page, id="load-example")  # the server offers GET /api/example, so the button is shown
    tab(page, id="clear")
    for table in TABLES:  # in the tables' order
        tab(page, tag="input", table=table)
        type_over(page, str(COUNTS[table]))
    assert {t: page.locator(f'#counts input[data-table="{t}"]').input_value() for t in TABLES} == {
        t: str(n) for t, n in COUNTS.items()}
    tab(page, id="seed")
    type_over(page, "7")
    tab(page, id="format")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#format")).to_have_value("csv")
    shot(page, "keyboard-settings")

    tab(page, id="preview")
    page.keyboard.press("Enter")
    expect(page.locator("#preview-out .preview-table")).to_have_count(5)
    idle(page)
    assert focused(page)["id"] == "preview"
    shot(page, "keyboard-preview")

    tab(page, id="generate")
    with page.expect_download() as download:
        page.keyboard.press("Space")
    assert download.value.suggested_filename == "synthframe-csv.zip"
    target = tmp_path / "keyboard.zip"
    download.value.save_as(target)
    idle(page)
    assert focused(page)["id"] == "generate"
    check_zip(target, "csv", COUNTS, tmp_path)
    # The same seed gives the same rows as the API would give: the first customer is the preview's first row.
    first = pd.read_csv(io.BytesIO(zipfile.ZipFile(target).read("customers.csv"))).iloc[0]
    preview_row = page.locator('#preview-out .preview-table[data-table="customers"] tbody tr').first
    assert preview_row.locator("td").nth(3).inner_text() == first["email"]
    # After the controls come the results: links to the tables, then the scrollable previews.
    tab(page, tag="a")
    shot(page, "keyboard-downloaded")


# -- 3. every control has a name; structure and contrast ----------------------------------

def test_every_control_is_labelled(page: Page) -> None:
    upload_example(page)
    page.locator("#preview").click()
    expect(page.locator("#preview-out .preview-table")).to_have_count(5)
    idle(page)

    controls = page.evaluate("""() => Array.from(document.querySelectorAll(
            'input, select, textarea, button, a[href], [tabindex]')).map(el => {
        const visible = (n) => !!n && n.getClientRects().length > 0 && getComputedStyle(n).visibility !== 'hidden';
        const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
            .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
        const labels = Array.from(el.labels || []);
        return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || null, shown: visible(el),
                labelledby: by, ariaLabel: (el.getAttribute('aria-label') || '').trim(),
                label: labels.map(l => l.textContent.trim()).join(' '), labelShown: labels.some(visible),
                text: el.textContent.trim(), tabindex: el.tabIndex};
    })""")
    shown = [c for c in controls if c["shown"]]
    assert len([c for c in shown if c["tag"] == "input"]) == 2 + 1 + 5  # two file inputs, seed, five counts
    for c in shown:
        name = c["labelledby"] or c["ariaLabel"] or c["label"] or (c["text"] if c["tag"] in ("button", "a") else "")
        assert name, f"control without an accessible name: {c}"
        if c["tag"] in ("input", "select", "textarea"):
            assert c["labelShown"], f"form control without a visible <label>: {c}"
        assert c["tabindex"] <= 0 or c["tag"] != "div", f"positive tabindex breaks the tab order: {c}"
        assert c["tabindex"] in (0, -1) or c["tag"] in ("input", "select", "textarea", "button", "a")

    # The browser's own accessibility tree agrees: no focusable node without a name.
    cdp = page.context.new_cdp_session(page)
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    roles = {"button", "textbox", "spinbutton", "combobox", "link", "region"}
    unnamed = []
    for node in tree:
        role = (node.get("role") or {}).get("value")
        if node.get("ignored") or role not in roles:
            continue
        if not ((node.get("name") or {}).get("value") or "").strip():
            unnamed.append(role)
    assert unnamed == [], f"unnamed nodes in the accessibility tree: {unnamed}"
    present = {(n.get("role") or {}).get("value") for n in tree}
    assert {"spinbutton", "combobox", "button", "textbox", "alert", "status"} <= present

    # One h1, and heading levels that never skip one.
    levels = page.evaluate("() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1])")
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
    expect(page.locator("#alert")).to_have_attribute("role", "alert")
    expect(page.locator("#status")).to_have_attribute("role", "status")
    # No click handler on a div pretending to be a button.
    assert page.locator("div[onclick], span[onclick], div[role=button], span[role=button]").count() == 0

    # Text contrast: every element with its own text, against the first opaque background behind it.
    low = page.evaluate("""() => {
        const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
        const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92
            : Math.pow((c + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
        const background = (el) => { for (let n = el; n; n = n.parentElement) { const c = rgb(getComputedStyle(n)
            .backgroundColor); if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3); }
            return [255, 255, 255]; };
        const out = [];
        for (const el of document.body.querySelectorAll('*')) {
            const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
            if (!own || !el.getClientRects().length || el.closest('[disabled], .visually-hidden')) continue;
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden' || style.color === 'rgba(0, 0, 0, 0)') continue;
            const a = lum(rgb(style.color)), b = lum(background(el));
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            const size = parseFloat(style.fontSize), bold = +style.fontWeight >= 700;
            const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
            if (ratio < need) out.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
        }
        return out; }""")
    assert low == [], f"text below the WCAG AA contrast ratio: {low}"
    shot(page, "labels-checked")


# -- 4. errors from the API ---------------------------------------------------------------

def test_api_errors_are_shown_naming_the_table(page: Page) -> None:
    upload_example(page)
    alert = page.locator("#alert")
    expect(alert).to_be_empty()

    count = page.locator('#counts input[data-table="customers"]')
    count.fill("-5")
    page.locator("#preview").click()
    expect(alert).to_contain_text("Preview failed")
    expect(alert).to_contain_text("table “customers”")
    expect(alert).to_contain_text("Row count for table 'customers' must be zero or more; got -5.")
    expect(count).to_have_attribute("aria-invalid", "true")
    idle(page)
    expect(page.locator("#preview-out .preview-table")).to_have_count(0)
    shot(page, "error-negative-count")

    count.fill("5000000")  # over this server's max_rows (100,000)
    page.locator("#generate").click()
    expect(alert).to_contain_text("Generating failed")
    expect(alert).to_contain_text("max_rows")
    expect(alert).to_contain_text("SYNTHFRAME_MAX_ROWS")
    idle(page)
    count.fill("120")

    before = analyses(page)
    latin1 = "customer_id,first_name\n1,José\n2,Renée\n".encode("latin-1")
    page.set_input_files("#sample-files", [{"name": "customers.csv", "mimeType": "text/csv", "buffer": latin1}])
    expect(alert).to_contain_text("Analysis failed")
    expect(alert).to_contain_text("table “customers”")
    expect(alert).to_contain_text("is not UTF-8 text")
    expect(page.locator('#file-list li[data-table="customers"]')).to_have_class("has-error")
    idle(page)
    assert analyses(page) == before
    shot(page, "error-not-utf8")

    # Putting the right file back clears the error.
    page.set_input_files("#sample-files", SAMPLE_FILES[:1])
    wait_analysis(page, before)
    expect(alert).to_be_empty()
    expect(page.locator('#file-list li[data-table="customers"]')).not_to_have_class("has-error")

    # A file of another kind is refused by the page itself (the notice outlives the analysis of the others),
    # and "Clear all" starts again.
    before = analyses(page)
    page.set_input_files("#sample-files", [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"},
                                           {"name": "customers.csv", "mimeType": "text/csv",
                                            "buffer": Path(SAMPLE_FILES[0]).read_bytes()}])
    wait_analysis(page, before)
    expect(alert).to_contain_text("notes.txt: sample files must end in .csv, .json, .jsonl, .ndjson, .parquet")
    expect(page.locator("#file-list li")).to_have_count(5)
    page.get_by_role("button", name="Dismiss").click()
    expect(alert).to_be_empty()
    page.locator("#clear").click()
    expect(page.locator("#file-list li")).to_have_count(0)
    expect(page.locator("#analysis .table-card")).to_have_count(0)
    expect(page.locator("#schema-text")).to_have_value("")
    expect(page.locator("#generate")).to_be_disabled()


# -- 5. the example button, against the API route it expects ------------------------------

def test_example_button_loads_the_bundled_example(page: Page) -> None:
    """The button shows when the OpenAPI document lists ``GET /api/example`` (this server does); it loads the
    bundled files exactly as if they had been uploaded, with the example's row counts."""
    button = page.get_by_role("button", name="Load the bundled example")
    expect(button).to_be_visible()
    before = analyses(page)
    button.click()
    wait_analysis(page, before)
    check_analysis(page)
    from synthframe.examples import RECORD_COUNTS

    assert {t: page.locator(f'#counts input[data-table="{t}"]').input_value() for t in TABLES} == {
        t: str(n) for t, n in RECORD_COUNTS["ecommerce"].items()}
    shot(page, "example-loaded")


def test_example_button_hidden_when_the_server_does_not_offer_it(page: Page, server_url: str) -> None:
    document = json.loads(page.request.get(server_url + "api/openapi.json").text())
    del document["paths"]["/api/example"]
    page.route("**/api/openapi.json", lambda route: route.fulfill(json=document))
    page.reload()
    expect(page.locator("#load-example")).to_have_attribute("data-checked", "true")  # the page has looked
    expect(page.locator("#load-example")).to_be_hidden()


# -- 6. under a path prefix, as behind a reverse proxy ------------------------------------

def test_page_works_under_a_path_prefix(browser: Any) -> None:
    """The page asks for its files and the API relative to its own address, so it also works when the app is
    mounted below a path (``/tools/synthframe/``) by a proxy or a WSGI dispatcher."""
    from werkzeug.exceptions import NotFound
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    app = DispatcherMiddleware(NotFound(), {"/tools/synthframe": create_app(ServerConfig())})
    with _serve(app, "/tools/synthframe/") as url:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            paths: list[str] = []
            page.on("request", lambda r: paths.append(r.url.split("/", 3)[3]))
            page.goto(url)
            expect(page.locator("#version")).to_contain_text("synthframe")
            before = analyses(page)
            page.set_input_files("#sample-files", SAMPLE_FILES)
            wait_analysis(page, before)
            expect(page.locator("#analysis .table-card")).to_have_count(5)
            with page.expect_download() as download:
                page.locator("#generate").click()
            assert download.value.suggested_filename == "synthframe.json"
            document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
            assert set(document) == set(TABLES)
            assert all(p.startswith("tools/synthframe/") for p in paths if not p.startswith("blob:")), paths
            shot(page, "path-prefix")
        finally:
            context.close()

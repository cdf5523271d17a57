"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) through the web pages; saves screenshots."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e_testkit import server_factory  # noqa: F401  (fixture)
from e2e_testkit import ROOT, SAMPLE, add_user

CHROMIUM = "/usr/bin/chromium"
pw = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium package")
SHOTS = Path(os.environ.get("CASEFILE_SCREENSHOTS", ROOT / "bench" / "out" / "screenshots"))


def test_browser_flow(server_factory, tmp_path):
    db = tmp_path / "web.db"
    token = add_user(db, "rita", "reviewer", "north")
    server = server_factory(db=db)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.url + "/")
            assert page.url.endswith("/signin")
            page.fill("#token", token)
            page.screenshot(path=SHOTS / "01_signin.png")
            page.click("button[type=submit]")
            page.wait_for_url("**/cases")
            page.keyboard.press("Tab")  # keyboard users: the skip link is the first stop
            assert page.evaluate("document.activeElement.className") == "skip"
            page.click("text=Upload a case file")
            page.fill("#reference", "BROWSER-1")
            page.set_input_files("#files", str(SAMPLE))
            page.screenshot(path=SHOTS / "02_upload.png")
            page.click("main button[type=submit]")
            page.wait_for_url("**/cases/c_*")
            page.wait_for_selector("a:has-text('Action plan')", timeout=60_000)  # the page refreshes until done
            case_url = page.url
            page.screenshot(path=SHOTS / "03_checklist.png", full_page=True)
            # dismiss the first missing item, with a note
            item = page.locator("article.s-missing").first
            item_id = item.get_attribute("id")
            item.locator("summary").click()
            item.locator("input[value=dismiss]").check()
            item.locator("textarea").fill("Seen in the officer's notes; not a gap.")
            item.screenshot(path=SHOTS / "04_decision_form.png")
            item.locator("button:has-text('Record decision')").click()
            page.wait_for_load_state()
            done = page.locator(f"#{item_id}")
            assert "s-met" in done.get_attribute("class")
            assert "not a gap" in done.inner_text()
            done.screenshot(path=SHOTS / "05_dismissed.png")
            # the page view with the cited sentence highlighted
            link = page.locator("ul.evidence a").first
            link.click()
            page.wait_for_selector("mark#hl")
            page.screenshot(path=SHOTS / "06_page_view.png", full_page=True)
            page.goto(server.url + "/gaps?group=suspect")
            assert page.locator("tbody tr").count() > 0
            page.screenshot(path=SHOTS / "07_gaps.png", full_page=True)
            page.goto(case_url + "/action-plan")
            assert page.locator("ol.plan > li").count() > 0
            page.screenshot(path=SHOTS / "08_action_plan.png", full_page=True)
            page.emulate_media(media="print")
            page.screenshot(path=SHOTS / "09_action_plan_print.png", full_page=True)
            page.emulate_media(media="screen")
            page.goto(server.url + "/search?q=interview")
            page.screenshot(path=SHOTS / "10_search.png")
            # a tablet
            tab = browser.new_page(viewport={"width": 768, "height": 1024})
            tab.context.add_cookies(page.context.cookies())
            tab.goto(case_url)
            tab.screenshot(path=SHOTS / "11_tablet_checklist.png")
            assert tab.evaluate("document.documentElement.scrollWidth") <= 768 + 1
        finally:
            browser.close()

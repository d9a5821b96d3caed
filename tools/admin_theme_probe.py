"""Measure admin pages as a browser loads them: requests, weight, off-site hosts, CSP reports.

Used to compare admin themes (docs/ADMIN.md). Serve the demo site (`make seed`) with
the settings under test, then:

    python tools/admin_theme_probe.py http://127.0.0.1:8861 LABEL > LABEL.json

Each page is loaded in a fresh browser context (a cold cache) after signing in as the
demo's staff account. For every page it reports the HTTP status, the number of
requests, the bytes received (bodies and headers, uncompressed as the test server
sends them), every request to a host other than the server's, the console's Content
Security Policy reports (those about scripts apart) and uncaught script errors.
Off-site requests only show when the site sends no CSP: a policy blocks them first.
"""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlparse

from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1366, "height": 768}
STAFF = ("admin@example.com", "aiplus-admin-2026")  # seed_demo's local account
PAGES = {
    "index": "/admin/",
    "need_list": "/admin/matchmaking/need/",
    "need_change": "/admin/matchmaking/need/{need}/change/",
    "event_list": "/admin/events/event/",
    "event_change": "/admin/events/event/{event}/change/",
    "season_change": "/admin/events/season/{season}/change/",
    "catalog_import": "/admin/matchmaking/need/import/",
}


def signed_in_state(browser: Browser, base: str, language: str) -> dict:
    context = browser.new_context(base_url=base, viewport=VIEWPORT)
    context.add_cookies([{"name": "aiplus_language", "value": language, "url": base}])
    page = context.new_page()
    page.goto("/admin/login/", wait_until="networkidle")
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    # Posted directly: a theme whose login page needs scripts the CSP blocks cannot be
    # driven through its form.
    page.request.post(
        f"{base}/admin/login/?next=/admin/",
        form={"csrfmiddlewaretoken": token, "username": STAFF[0], "password": STAFF[1]},
        headers={"Referer": f"{base}/admin/login/"},
    )
    state = context.storage_state()
    context.close()
    return state


def probe(browser: Browser, base: str, state: dict, path: str) -> dict:
    context = browser.new_context(base_url=base, viewport=VIEWPORT, storage_state=state)
    page = context.new_page()
    requests, reports, errors = [], [], []
    # Playwright marks its handlers with an attribute: a bound builtin cannot take one.
    page.on("requestfinished", lambda r: requests.append(r))  # noqa: PLW0108
    page.on("requestfailed", lambda r: requests.append(r))  # noqa: PLW0108
    page.on(
        "console",
        lambda m: reports.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)[:200]))
    response = page.goto(path, wait_until="networkidle")
    page.wait_for_timeout(300)
    received, off_site = 0, []
    for request in requests:
        if request.url.startswith("data:"):
            continue
        if urlparse(request.url).hostname != urlparse(base).hostname:
            off_site.append(request.url)
        sizes = request.sizes()
        received += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return {
        "status": response.status if response else None,
        "requests": len(requests),
        "kB": round(received / 1024),
        "off_site": off_site,
        "csp_reports": len(reports),
        "csp_script_reports": sum(1 for r in reports if "script-src" in r or "unsafe-eval" in r),
        "script_errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base")
    parser.add_argument("label")
    parser.add_argument("--need", type=int, default=1)
    parser.add_argument("--event", type=int, default=1)
    parser.add_argument("--season", type=int, default=1)
    options = parser.parse_args()
    ids = {"need": options.need, "event": options.event, "season": options.season}
    results: dict[str, dict] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for language in ("zh-hans", "en"):
            state = signed_in_state(browser, options.base, language)
            for name, path in PAGES.items():
                results[f"{language}:{name}"] = probe(
                    browser, options.base, state, path.format(**ids)
                )
        browser.close()
    json.dump({"label": options.label, "pages": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()

"""An accessibility audit of a page by axe-core (WCAG 2.1 A and AA, plus best practices).

    assert audit(chat.page) == []      # else one entry per violated rule, with its nodes

axe-core comes from npm (root package.json, a devDependency that `make test` installs
through tools/vendor.py) and is never published with the page. The page's policy runs
only same-origin script, so axe is answered to a same-origin URL by `page.route` (the
static server never serves it) and added with a script tag.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
AXE_FILE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__tests__/axe-core.js"  # on the page's origin; answered by page.route only
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN = """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                 resultTypes: ["violations"]})
  .then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(node => node.target.join(" ") + ": " +
                       [...node.any, ...node.all, ...node.none].map(c => c.message).join(" ")),
  })))"""


def audit(page: Page) -> list[str]:
    """axe-core's violations on ``page`` as it is now, one entry per rule ("rule (impact):
    help", then a line per failing node with axe's reason); [] if none."""
    if not AXE_FILE.exists():
        raise RuntimeError(f"{AXE_FILE} is missing: run `make test` (or `npm ci` in the repo "
                           "folder), which installs axe-core.")
    if not page.evaluate("'axe' in window"):
        url = urllib.parse.urljoin(page.url, AXE_PATH)
        page.route(url, lambda route: route.fulfill(path=AXE_FILE,
                                                    content_type="text/javascript"), times=1)
        page.add_script_tag(url=url)
    return ["\n    ".join([f"{v['id']} ({v['impact']}): {v['help']}", *v["nodes"]])
            for v in page.evaluate(RUN, TAGS)]

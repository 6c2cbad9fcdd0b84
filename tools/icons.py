"""The app's PNG icons (static/icon-*.png), drawn from static/icon.svg by Chromium.

    python -m tools.icons

Run again only when static/icon.svg changes; the PNGs are committed, so installing the
page needs no browser. Sizes: 192 and 512 (what browsers want for an installed app),
180 (iOS's home screen, which ignores the manifest's icons) and a 512 "maskable" one
whose glyph keeps inside the middle 80% that Android may crop to a circle.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import sync_playwright

from tools import chromium

STATIC = Path(__file__).resolve().parent.parent / "static"
PLAIN = {"icon-180.png": 180, "icon-192.png": 192, "icon-512.png": 512}
MASKABLE = ("icon-maskable.png", 512)


def maskable(svg: str) -> str:
    """The icon's glyph at 80% on a square of its background colour, corner to corner."""
    fill = re.search(r'<rect[^>]*fill="([^"]+)"', svg).group(1)
    glyph = re.search(r"(<path.*/>)", svg).group(1)
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
            f'<rect width="32" height="32" fill="{fill}"/>'
            f'<g transform="translate(3.2 3.2) scale(0.8)">{glyph}</g></svg>')


def draw(page, svg: str, size: int, target: Path) -> None:
    page.set_viewport_size({"width": size, "height": size})
    page.set_content(f'<style>html,body{{margin:0;background:transparent}}svg{{display:block;'
                     f'width:{size}px;height:{size}px}}</style>{svg}')
    page.screenshot(path=str(target), omit_background=True)
    print(f"Wrote {target.relative_to(STATIC.parent)} ({size}x{size}).")


def main() -> None:
    svg = (STATIC / "icon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium.ensure(),
                                             args=chromium.LAUNCH_FLAGS)
        page = browser.new_page()
        for name, size in PLAIN.items():
            draw(page, svg, size, STATIC / name)
        draw(page, maskable(svg), MASKABLE[1], STATIC / MASKABLE[0])
        browser.close()


if __name__ == "__main__":
    main()

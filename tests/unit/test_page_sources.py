"""Everything the page runs comes from its own folder: nothing it loads names another
origin for code, and PyScript's config gives it nothing to fetch from a CDN."""

from __future__ import annotations

import json
import re
import struct
import tomllib
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
OWN_CODE = ["index.html", "main.py", "static/boot.js", "static/dom.js",
            "static/pyodide-snapshot.mjs"]
ABSOLUTE_URL = re.compile(r"(?<![\w-])(?:[a-z][a-z0-9+.-]*:)?//[\w.-]+", re.IGNORECASE)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href", "config")]


def _local_file(link: str) -> bool:
    return not ABSOLUTE_URL.match(link) and (ROOT / link.split("?")[0]).is_file()


def test_index_html_loads_only_files_of_its_own_folder():
    parser = _Links()
    parser.feed((ROOT / "index.html").read_text(encoding="utf-8"))
    assert "static/boot.js" in parser.links and "pyscript.toml" in parser.links
    assert [link for link in parser.links if not _local_file(link)] == []


def test_pyscript_config_names_a_local_interpreter_local_files_and_no_packages():
    config = tomllib.loads((ROOT / "pyscript.toml").read_text(encoding="utf-8"))
    assert _local_file(config["interpreter"])  # else PyScript takes Pyodide from a CDN
    assert config["files"] and all(_local_file(source) for source in config["files"])
    assert not {"packages", "js_modules", "fetch"} & config.keys()  # fetched from elsewhere


def test_the_page_code_names_no_other_origin():
    """Comments included: the page's code has no absolute URL at all. (index.html's
    Content-Security-Policy names Directus, for connections only.)"""
    found = {}
    for name in OWN_CODE:
        text = (ROOT / name).read_text(encoding="utf-8")
        if name == "index.html":
            text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
        if urls := ABSOLUTE_URL.findall(text):
            found[name] = urls
    assert found == {}


def test_the_manifest_names_icons_that_exist_at_the_sizes_it_says():
    manifest = json.loads((ROOT / "static" / "manifest.webmanifest").read_text())
    sizes = {}
    for icon in manifest["icons"]:
        data = (ROOT / "static" / icon["src"]).read_bytes()
        if icon["type"] == "image/png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n", icon["src"]
            width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
            assert icon["sizes"] == f"{width}x{height}", icon["src"]
            sizes.setdefault(icon.get("purpose", "any"), set()).add(width)
    assert {192, 512} <= sizes["any"] and 512 in sizes["maskable"]  # what browsers want

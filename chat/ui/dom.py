"""Building the page's DOM from Python. User text goes in only as text (a text node
or ``textContent``), never as HTML: ``el`` has no way to pass markup."""

from __future__ import annotations

import js
from pyscript import document
from pyscript.ffi import create_proxy, to_js


def options(**values):
    """A plain JS object (for fetch, Intl, ...) from keyword arguments."""
    return to_js(values, dict_converter=js.Object.fromEntries)


def el(tag: str, cls: str = "", text: str | None = None, **attrs: str):
    """A new element; ``text`` goes in as a text node, attributes as plain values."""
    node = document.createElement(tag)
    if cls:
        node.className = cls
    if text is not None:
        node.textContent = text
    for name, value in attrs.items():
        node.setAttribute(name.replace("_", "-"), value)
    return node


def listen(pairs) -> list:
    """Add each (node, event type, handler); returns the proxies, which must be kept as
    long as the page (they are never destroyed)."""
    proxies = []
    for node, kind, handler in pairs:
        proxy = create_proxy(handler)
        node.addEventListener(kind, proxy)
        proxies.append(proxy)
    return proxies

"""The chat client: a sans-I/O core (core/), the adapter loop every adapter runs (loop),
the page's adapter and view (browser, ui/) and the CPython adapter (headless, not loaded
by the page).

In the page, the core comes already imported in Pyodide's start-up snapshot
(tools/snapshot.mjs), which fills ``SNAPSHOT``. ``forget_if_changed()`` drops those
modules when a file changed since the snapshot was made, so they load fresh::

    import chat
    chat.forget_if_changed()
"""

import sys
import zlib

SNAPSHOT: dict[str, int] = {}  # module name -> CRC-32 of its file when snapshotted


def forget_if_changed() -> None:
    """Forget the snapshot's copy of the core if any of its files changed since."""
    for name, crc in SNAPSHOT.items():
        with open(sys.modules[name].__file__, "rb") as source:
            if zlib.crc32(source.read()) != crc:
                break
    else:
        return
    for name in SNAPSHOT:
        sys.modules.pop(name, None)

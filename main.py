"""The page's entry point: read the config, connect the adapter to the view."""

import chat

chat.forget_if_changed()  # the core comes with Pyodide's snapshot: use it only if unchanged

from chat.browser import App, load_config  # noqa: E402
from chat.ui.view import View  # noqa: E402

config = await load_config()  # noqa: F704 (top-level await runs in PyScript)
app = App(config)
app.start(View(app, max_length=config.max_length))

"""The page's entry point: read the config, connect the adapter to the view."""

from chat.browser import App, load_config
from chat.view import View

config = await load_config()  # noqa: F704 (top-level await runs in PyScript)
app = App(config)
app.start(View(app, max_length=config.max_length))

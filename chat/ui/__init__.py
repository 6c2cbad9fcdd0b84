"""The page's view: it only draws (and passes the user's actions to the app). Every
module here but window.py imports pyscript/js; window.py is pure, so CPython tests it."""

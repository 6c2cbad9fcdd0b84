"""The local Directus (local.py) and the chat schema and access setup (provision/)."""

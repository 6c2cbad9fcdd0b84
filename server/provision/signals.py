"""Step: whether Directus runs the chat-signals extension (presence and typing, and the
check that a reaction is to a message its author may read).

Provisioning cannot install an extension (it is a folder Directus reads at start), so this
step only reports: a note when it is not loaded, saying how to install it. Directus keeps
listing an extension it once loaded; one missing from its folder now comes without a
`schema`, one switched off in the Data Studio with `meta.enabled` false. The app works
without it, with no presence and no typing indicator; reactions to messages of private
channels are then checked by clients only.
"""

from __future__ import annotations

from server.provision.context import Context

NAME = "chat-signals"
INSTALL = ("copy server/extensions/chat-signals into the folder Directus loads extensions "
           "from (EXTENSIONS_PATH; /directus/extensions in its Docker image), then restart "
           "Directus")

UNCHECKED = ("the server does not stop someone who knows the id of a message in a private "
             "channel from reacting to it")


def apply(ctx: Context) -> None:
    found = [e for e in ctx.api.get("/extensions") or []
             if (e.get("meta") or {}).get("folder") == NAME]
    if not found or found[0].get("schema") is None:
        ctx.note(f"The {NAME} extension is not loaded, so the chat shows no presence and no "
                 f"typing, and {UNCHECKED}.", how=INSTALL[0].upper() + INSTALL[1:] + ".")
    elif not found[0]["meta"].get("enabled"):
        ctx.note(f"The {NAME} extension is switched off, so the chat shows no presence and "
                 f"no typing, and {UNCHECKED}.",
                 how="Switch it on in the Data Studio (Settings, Extensions).")

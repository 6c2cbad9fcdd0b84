"""Build the tutorial's own SvelteKit chat client from the tutorial text (optional).

    python -m tools.tutorial_client --directus http://127.0.0.1:8055 [--serve 5173] \\
        --tutorial ../shared/seed/build-a-realtime-chat-app-with-directus-and-sveltekit.md

Does what the tutorial says, into build/tutorial-client/ (git-ignored): `sv create` with
the SvelteKit minimal template, no type checking, no add-ons (sv 0.6.16, the version the
tutorial shows); `npm install`; `npm install @directus/sdk`, pinned to 18.0.3: what npm
picks on Node 20 (later ones need Node 22), and like 19.1.0 its `login(email, password,
options)` takes the tutorial's call (20.0.0 changed it to `login({email, password},
options)`); src/lib/directus.js and src/routes/+page.svelte
put together from the tutorial's code blocks, in the places it says, with its
"http://localhost:8055" replaced by --directus. With --serve, runs `npm run dev` on that
port (the tutorial's 5173); the Directus must allow that origin
(CORS_ORIGIN=http://localhost:5173). Needs npm and the npm registry; not part of make test.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "build" / "tutorial-client"
SV = "sv@0.6.16"
SDK = "@directus/sdk@18.0.3"
TUTORIAL_URL = "http://localhost:8055"
# The blocks the tutorial adds "at the bottom of the script", in its order.
ADDED_TO_SCRIPT = ("async function subscribeToMessages", "const sendMessage",
                   "async function receiveMessage", "function setupWebSocketEventHandlers")


class TutorialError(Exception):
    pass


def code_blocks(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```[a-z]*\n(.*?)```", text, re.DOTALL)]


def _block(blocks: list[str], starts: str) -> str:
    for block in blocks:
        if block.lstrip().startswith(starts):
            return block
    raise TutorialError(f"No code block starting with {starts!r} in the tutorial text.")


def sources(tutorial: str, directus_url: str) -> dict[str, str]:
    """The files the tutorial has people write: {path in the project: text}."""
    blocks = code_blocks(tutorial)
    client = _block(blocks, "import { createDirectus")
    script = _block(blocks, "<script>")
    added = [_block(blocks, start) for start in ADDED_TO_SCRIPT]
    markup = _block(blocks, '<div class="container-center">')
    end = script.rindex("</script>")
    page = script[:end] + "\n".join(added) + script[end:] + "\n" + markup
    return {"src/lib/directus.js": client.replace(TUTORIAL_URL, directus_url.rstrip("/")),
            "src/routes/+page.svelte": page}


def _run(command: list[str], cwd: Path) -> None:
    print("$", " ".join(command), flush=True)
    if subprocess.run(command, cwd=cwd).returncode != 0:
        raise TutorialError(f"`{' '.join(command)}` failed; see its output above.")


def built() -> bool:
    return (TARGET / "node_modules" / "@directus" / "sdk").is_dir()


def point_at(directus_url: str) -> None:
    """Make the built client talk to another Directus (the dev server reloads it)."""
    path = TARGET / "src" / "lib" / "directus.js"
    text = re.sub(r'const directusURL = "[^"]*";', f'const directusURL = "{directus_url}";',
                  path.read_text())
    path.write_text(text)


def serve(port: int, log: Path) -> subprocess.Popen:
    """Start the tutorial's `npm run dev` on 127.0.0.1:`port` (stop it with stop())."""
    with log.open("ab") as out:
        return subprocess.Popen(
            ["npm", "run", "dev", "--", "--host", "127.0.0.1", "--port", str(port),
             "--strictPort"], cwd=TARGET, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)


def build(tutorial_path: Path, directus_url: str) -> None:
    files = sources(tutorial_path.read_text(), directus_url)
    if not (TARGET / "package.json").exists():
        TARGET.parent.mkdir(parents=True, exist_ok=True)
        _run(["npx", "--yes", SV, "create", "--template", "minimal", "--no-types",
              "--no-add-ons", "--no-install", TARGET.name], TARGET.parent)
    for name, text in files.items():
        (TARGET / name).write_text(text)
    _run(["npm", "install", "--no-audit", "--no-fund"], TARGET)
    _run(["npm", "install", "--no-audit", "--no-fund", SDK], TARGET)


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the tutorial's SvelteKit client.")
    parser.add_argument("--tutorial", type=Path, required=True,
                        help="the tutorial's markdown file")
    parser.add_argument("--directus", required=True, help="the Directus URL it talks to")
    parser.add_argument("--serve", type=int, metavar="PORT",
                        help="then run its dev server on this port (the tutorial's: 5173)")
    args = parser.parse_args()
    try:
        build(args.tutorial, args.directus)
        if args.serve:
            _run(["npm", "run", "dev", "--", "--host", "127.0.0.1", "--port",
                  str(args.serve), "--strictPort"], TARGET)
    except (TutorialError, OSError) as error:
        sys.exit(f"tutorial client: {error}")


if __name__ == "__main__":
    main()

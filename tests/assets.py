"""Image files for the tests: a PNG made here, uploaded to Directus as the admin (the
avatar tests, over REST and in the browser)."""

from __future__ import annotations

import json
import struct
import urllib.request
import uuid
import zlib


def png(width: int = 8, height: int = 8) -> bytes:
    """A small red PNG, made here (the thumbnail test needs a real image)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def upload(directus, name: str, data: bytes) -> str:
    """POST /files as the admin (multipart, the file part last); returns the file's id."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{name}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
            f"\r\nContent-Type: image/png\r\n\r\n").encode() + data + \
        f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(directus.url + "/files", data=body, method="POST", headers={
        "Authorization": f"Bearer {directus.admin_token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]["id"]

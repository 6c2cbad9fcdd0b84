"""The README's nginx example, run by the real nginx on this folder: the runtime comes
precompressed (brotli, else gzip) and cached for good, the page's own files revalidate
(304), and nothing outside the page's files is served."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from server.local import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
BROTLI = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
RUNTIME = ROOT / "static" / "vendor" / "runtime.json"

pytestmark = [
    pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed"),
    pytest.mark.skipif(not BROTLI.exists(), reason="no brotli_static module "
                       "(Debian: libnginx-mod-http-brotli-static)"),
    pytest.mark.skipif(not RUNTIME.exists(), reason="no runtime: run python -m tools.vendor"),
]


def readme_example() -> str:
    blocks = re.findall(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert len(blocks) == 1, "the README has one nginx example"
    return blocks[0]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory):
    work = tmp_path_factory.mktemp("nginx")
    port = free_port()
    server = readme_example()
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{port};"),
                     ("root /srv/chat;", f"root {ROOT};")):
        assert old in server
        server = server.replace(old, new)
    (work / "nginx.conf").write_text(
        f"load_module {BROTLI};\n"
        + ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log off;\nclient_body_temp_path {work};\n{server}\n}}\n")
    process = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"),
                                "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while True:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).connect()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.stderr.read()}")
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(10)


def get(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def test_the_runtime_is_sent_precompressed_and_kept_for_good(nginx):
    stdlib = "static/vendor/" + json.loads(RUNTIME.read_text())["stdlib"]
    for taken, encoding, suffix in (("br, gzip", "br", ".br"), ("gzip", "gzip", ".gz")):
        status, headers, body = get(nginx, "/" + stdlib, Accept_Encoding=taken)
        assert status == 200 and headers["content-encoding"] == encoding
        assert body == (ROOT / f"{stdlib}{suffix}").read_bytes()
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert headers["content-type"] == "application/zip"
    status, headers, body = get(nginx, "/" + stdlib)
    assert "content-encoding" not in headers and body == (ROOT / stdlib).read_bytes()


def test_the_page_and_runtime_json_revalidate(nginx):
    for path in ("/", "/index.html", "/static/vendor/runtime.json", "/chat/ui/view.py", "/sw.js"):
        status, headers, _ = get(nginx, path, Accept_Encoding="gzip")
        assert status == 200 and headers["cache-control"] == "no-cache", path
        again, _, _ = get(nginx, path, If_None_Match=headers["etag"])
        assert again == 304, path
    _, headers, _ = get(nginx, "/static/vendor/runtime.json", Accept_Encoding="gzip")
    assert headers["content-type"].startswith("application/json")


def test_nothing_but_the_page_files_is_served(nginx):
    for path in ("/README.md", "/server/local.py", "/data/admin_token", "/tests/conftest.py",
                 "/.git/HEAD", "/chat/.hidden", "/package.json"):
        assert get(nginx, path)[0] == 404, path

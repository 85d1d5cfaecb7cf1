"""The buffering proxy (issue 5, finding 6): deploy/nginx.conf, run as shipped in front of
gunicorn on loopback, keeps slow clients away from gunicorn's sync workers.

The attack as reproduced: two clients trickling a request body at 1 byte/s held both
sync workers, and other visitors waited up to 35 s. Here the same two clients first hold
gunicorn directly (a visitor's page does not come within a second and a half), then go
through nginx, and a visitor's page comes at once.

Needs Debian's nginx (/usr/sbin/nginx, `scripts/ensure-nginx`): skipped without it, unless
KEEPCERT_REQUIRE_NGINX=1 (CI), in which case the test fails.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from keepcert.activities import limits

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "deploy" / "nginx.conf"
NGINX = Path("/usr/sbin/nginx")
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PATIENCE = 1.5  # seconds a visitor waits for the home page before the test calls it held


def test_the_proxys_body_limit_is_the_apps() -> None:
    [size] = re.findall(r"^\s*client_max_body_size (\d+)m;", CONFIG.read_text(), re.M)
    assert int(size) * limits.MEGABYTE == limits.MAX_REQUEST_BYTES


def _need_nginx() -> None:
    if NGINX.exists():
        return
    if os.environ.get("KEEPCERT_REQUIRE_NGINX") == "1":
        pytest.fail(f"KEEPCERT_REQUIRE_NGINX=1 but {NGINX} is missing: scripts/ensure-nginx")
    pytest.skip(f"{NGINX} is not installed (scripts/ensure-nginx installs it)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _replace_once(text: str, old: str, new: str) -> str:
    # The shipped file is run as it is: only its addresses and certificate change, and a
    # change to those lines fails here rather than silently testing something else.
    assert text.count(old) == 1, f"deploy/nginx.conf no longer has {old!r} once"
    return text.replace(old, new)


def _render(folder: Path, *, app_port: int, http_port: int, https_port: int) -> Path:
    cert, key = _self_signed(folder)
    site = CONFIG.read_text()
    for old, new in [
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{app_port} "),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;\n", ""),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen [::]:443 ssl;\n", ""),
        ("/etc/letsencrypt/live/keepcert.example.org/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/keepcert.example.org/privkey.pem", str(key)),
    ]:
        site = _replace_once(site, old, new)
    (folder / "keepcert.conf").write_text(site)
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    # Debian's /etc/nginx/nginx.conf, reduced to what the site needs, kept in the folder.
    main = f"""
        daemon off;
        {"user root;" if os.geteuid() == 0 else ""}
        worker_processes 1;
        pid {folder}/nginx.pid;
        error_log {folder}/error.log warn;
        events {{ worker_connections 64; }}
        http {{
            access_log off;
            client_body_temp_path {temp["body"]};
            proxy_temp_path {temp["proxy"]};
            fastcgi_temp_path {temp["fastcgi"]};
            uwsgi_temp_path {temp["uwsgi"]};
            scgi_temp_path {temp["scgi"]};
            include {folder}/keepcert.conf;
        }}
    """
    (folder / "nginx.conf").write_text(main)
    return folder / "nginx.conf"


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on {port}:\n{log.read_text()}")


def _stop(process: subprocess.Popen[bytes], quick: signal.Signals) -> None:
    if process.poll() is None:
        process.send_signal(quick)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Trickler:
    """A client that sends its headers, then a 100-byte form body at 1 byte a second."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None) -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock = tls.wrap_socket(raw) if tls else raw
        self.sock.sendall(
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        )
        self.stopped = threading.Event()
        self.sent = 0
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while self.sent < 100 and not self.stopped.wait(1.0):
            try:
                self.sock.sendall(b"x")
            except OSError:
                return
            self.sent += 1

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.sock.close()


def _home_page_time(
    port: int, tls: ssl.SSLContext | None = None, timeout: float = PATIENCE
) -> float | None:
    """Seconds until a visitor has the home page, or None when it did not come in time."""
    connection = (
        http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=tls)
        if tls
        else http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    )
    started = time.monotonic()
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        response.read()
    except TimeoutError:
        return None
    finally:
        connection.close()
    assert response.status == 200, response.status
    return time.monotonic() - started


@pytest.fixture
def tls_client() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    return context


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    """gunicorn with 2 sync workers, and nginx with deploy/nginx.conf in front of it."""
    _need_nginx()
    tmp_path = tmp_path_factory.mktemp("nginx")
    ports = {"app": _free_port(), "http": _free_port(), "https": _free_port()}
    config = _render(
        tmp_path, app_port=ports["app"], http_port=ports["http"], https_port=ports["https"]
    )
    env = {
        **os.environ,
        # The anonymous home page needs no table; the file keeps the repository's out of it.
        "DATABASE_URL": f"sqlite:///{tmp_path}/keepcert.sqlite3",
        "DEBUG": "1",  # static files from the source folders: no collectstatic needed
        "SECRET_KEY": "test-only-nginx",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    app_log, nginx_log = tmp_path / "gunicorn.log", tmp_path / "error.log"
    with app_log.open("wb") as log:
        app = subprocess.Popen(  # noqa: S603 - the repository's own gunicorn, fixed arguments
            [
                str(GUNICORN),
                "keepcert.wsgi",
                *("--workers", "2", "--worker-class", "sync", "--timeout", "30"),
                *("--bind", f"127.0.0.1:{ports['app']}"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    nginx_log.touch()
    proxy = subprocess.Popen(  # noqa: S603 - Debian's nginx, fixed arguments
        [str(NGINX), "-p", str(tmp_path), "-c", str(config), "-e", str(nginx_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(ports["https"], proxy, nginx_log)
        _wait_until_listening(ports["app"], app, app_log)
        # Both workers booted: each answers one of these.
        for _ in range(4):
            assert _home_page_time(ports["app"], timeout=15) is not None, app_log.read_text()
        yield ports
    finally:
        _stop(proxy, signal.SIGTERM)  # nginx's fast shutdown
        _stop(app, signal.SIGQUIT)  # gunicorn's (its SIGTERM waits for the workers)


@pytest.mark.security
def test_slow_clients_hold_gunicorn_but_not_nginx(
    servers: dict[str, int], tls_client: ssl.SSLContext
) -> None:
    # Without the proxy: two trickling clients take both workers, and a visitor waits.
    direct = [Trickler(servers["app"]) for _ in range(2)]
    try:
        time.sleep(0.3)  # both accepted by a worker
        assert _home_page_time(servers["app"]) is None, "a worker was free: the test shows nothing"
    finally:
        for client in direct:
            client.close()  # the workers read an early end of body, and are free again

    # Through nginx: the same two clients wait in nginx, and the visitor is served at once.
    proxied = [Trickler(servers["https"], tls_client) for _ in range(2)]
    try:
        time.sleep(0.3)
        elapsed = _home_page_time(servers["https"], tls_client, timeout=5)
        assert elapsed is not None, "the page did not come through nginx in time"
        assert elapsed < 2
        assert not any(client.stopped.is_set() for client in proxied)  # still trickling
    finally:
        for client in proxied:
            client.close()


def test_plain_http_is_sent_to_https(servers: dict[str, int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", servers["http"], timeout=5)
    connection.request("GET", "/activities/new/?x=1")
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://127.0.0.1/activities/new/?x=1"
    connection.close()

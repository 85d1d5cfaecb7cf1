"""The dashboard under load, through gunicorn, against the bare signed-in view.

    python bench/load.py [--seconds 10] [--connections 8] [--workers 2]

Serves the bench database (DATABASE_URL, or bench/out/bench.sqlite3) with gunicorn's sync
workers on a free loopback port, signs the dashboard member in (3 certifications, 100
activities, made by bench/run.py's `dashboard_member`), and drives two URLs in turn with
Debian's wrk (`scripts/ensure-wrk` installs it): /dashboard/ and /bench/floor/, the
cheapest signed-in page (one query behind the same middleware). Prints requests a second
for each and their ratio, measured in the same run. wrk shares the machine's cores with
gunicorn; it loads both URLs alike, so the ratio stays fair.

Both URLs get the same cookies, those a browser holds after its first visit (the session,
and the CSRF cookie the dashboard's sign-out form set), and each is warmed up by a
short untimed wrk run first, so every worker has its program rules, templates and
database connection before the timed run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from http.cookies import SimpleCookie
from pathlib import Path

from support import DEFAULT_SQLITE, ROOT, ensure_schema, setup_django, sqlite_url

GUNICORN = Path(sys.executable).with_name("gunicorn")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback, our own server
            return
        except urllib.error.HTTPError as error:
            raise SystemExit(f"gunicorn answered {url} with {error.code}") from error
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _cookies_after_visit(url: str, cookies: dict[str, str]) -> dict[str, str]:
    """`cookies` plus those the page at `url` sets, as a browser keeps them."""
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = urllib.request.Request(url, headers={"Cookie": header})  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        jar = SimpleCookie()
        for line in response.headers.get_all("Set-Cookie") or []:
            jar.load(line)
    return {**cookies, **{name: morsel.value for name, morsel in jar.items()}}


def _wrk(url: str, cookie_header: str, *, seconds: int, connections: int) -> str:
    return subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s",  # noqa: S607
         "-H", f"Cookie: {cookie_header}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def _requests_per_second(output: str) -> float:
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise SystemExit(f"could not read wrk's output:\n{output}")
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise SystemExit(f"some answers were errors; wrk said:\n{output}")
    return float(match.group(1))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per URL (default 10)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--warm-up", type=int, default=2, help="untimed seconds per URL first")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run scripts/ensure-wrk (Debian's wrk).")

    database = setup_django(default_database_url=sqlite_url(DEFAULT_SQLITE))
    program = ensure_schema()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from run import dashboard_member

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0 serves the manifest
    member = dashboard_member(program, print)
    assert member.user is not None
    client = Client()
    client.force_login(member.user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "DATABASE_URL": database, "DEBUG": "0"}
    command = [str(GUNICORN), "--pythonpath", str(ROOT / "bench"), "--workers",
               str(args.workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
               "load_app:application"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=environment)  # noqa: S603
    try:
        _wait_until_up(f"{base}/", server)
        cookies = _cookies_after_visit(
            f"{base}/dashboard/", {settings.SESSION_COOKIE_NAME: session}
        )
        cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        urls = {"dashboard": f"{base}/dashboard/", "floor": f"{base}/bench/floor/"}
        for url in urls.values():
            if args.warm_up > 0:
                _wrk(url, cookie_header, seconds=args.warm_up, connections=args.connections)
        rates = {
            name: _requests_per_second(
                _wrk(url, cookie_header, seconds=args.seconds, connections=args.connections)
            )
            for name, url in urls.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    where = database.split("@")[-1]
    ratio = rates["floor"] / rates["dashboard"]
    print(f"\nDashboard under load: gunicorn, {args.workers} sync workers, wrk")
    print(f"{args.connections} connections × {args.seconds} s per URL, {where}")
    print(f"  dashboard (3 certifications, 100 activities): {rates['dashboard']:8.1f} req/s")
    print(f"  floor (bare signed-in view, one query):       {rates['floor']:8.1f} req/s")
    print(f"  ratio (floor ÷ dashboard):                    {ratio:8.1f}×")


if __name__ == "__main__":
    main()

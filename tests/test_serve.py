"""`provenance review --serve`: the review app served to a real headless Chromium.

The browser is driven over the Chrome DevTools protocol: keys go in as real key events to the
page's terminal, and what the app draws is read from the bytes the page receives on its
websocket (textual-serve draws on a canvas, so the DOM holds no text). The decision made in
the browser is then read back with the CLI, from the database named on the server's command
line, signed with the reviewer named there.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provenance.serve import review_command
from tests.conftest import CLI

REVIEWER = "web-auditor"
RAQQA = "Raqqa Civil Council"
"""The newest story of the fixtures: the first row of the story list."""

HOOK = """
window.__screen = "";
const NativeSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const socket = protocols === undefined ? new NativeSocket(url) : new NativeSocket(url, protocols);
  const decoder = new TextDecoder();
  socket.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) {
      window.__screen += decoder.decode(event.data, {stream: true});
    }
  });
  return socket;
};
window.WebSocket.prototype = NativeSocket.prototype;
"""
"""Keeps a copy of the terminal output the page receives, for the test to read."""

ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def _require(found: object, reason: str) -> None:
    """Skip with the reason, or fail under CI=true (CI installs everything)."""
    if found:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _provenance(*args: str) -> list[str]:
    return [sys.executable, "-m", "provenance.cli", *args]


def _quiet_env() -> dict[str, str]:
    """The environment without PROVENANCE_* settings: the server must get the database and
    the reviewer from its command line only."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}


def _stop(process: subprocess.Popen[Any]) -> None:
    """End a process this test started, with the sessions it started (its process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def served(linked_db_path: Path, tmp_path: Path) -> Iterator[tuple[str, CLI]]:
    """`provenance review --serve` on a copy of the linked fixtures: its URL, and the CLI on
    the same database."""
    _require(shutil.which("chromium") or shutil.which("chromium-browser"),
             "chromium not installed: apt-get install chromium")  # fmt: skip
    _require(_has_textual_serve(), "textual-serve not installed: pip install textual-serve")
    url = f"sqlite:///{linked_db_path}"
    port = _free_port()
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            _provenance("--db", url, "review", "--serve", "--port", str(port), "--reviewer", REVIEWER),
            env=_quiet_env(), stdout=output, stderr=output, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/", server, log)
        yield f"http://127.0.0.1:{port}/", CLI(url)
    finally:
        _stop(server)


def _has_textual_serve() -> bool:
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        return False
    return True


def _wait_for_http(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in 30 s")


class Browser:
    """Headless Chromium on one page, over the DevTools protocol."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.ids = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.ids += 1
        await self.socket.send_json({"id": self.ids, "method": method, "params": params})
        async for message in self.socket:
            data = json.loads(message.data)
            if data.get("id") == self.ids:
                assert "error" not in data, (method, data["error"])
                return dict(data["result"])
        raise AssertionError(f"the browser closed during {method}")

    async def screen(self) -> str:
        """All the terminal output the page has received so far, as plain text."""
        result = await self.call("Runtime.evaluate", expression="window.__screen || ''")
        return ANSI.sub("", str(result["result"]["value"]))

    async def wait_for(self, text: str, after: int = 0, timeout: float = 60) -> int:
        """Wait until ``text`` is drawn after offset ``after``; returns the new offset."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = await self.screen()
            if text in screen[after:]:
                return len(screen)
            await asyncio.sleep(0.3)
        tail = (await self.screen())[after:][-2000:]
        raise AssertionError(f"{text!r} not drawn within {timeout} s; last output: {tail!r}")

    async def press(self, key: str) -> None:
        """One key as the keyboard sends it: keydown with its text, then keyup."""
        if key == "enter":
            name, code, vk, text = "Enter", "Enter", 13, "\r"
        else:
            name, code, vk, text = key, f"Key{key.upper()}", ord(key.upper()), key
        event = {"key": name, "code": code, "windowsVirtualKeyCode": vk}
        await self.call("Input.dispatchKeyEvent", type="keyDown", text=text, **event)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **event)


def _launch_chromium(profile: Path) -> subprocess.Popen[bytes]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
             "--remote-debugging-port=0", "--window-size=1400,900", f"--user-data-dir={profile}"]  # fmt: skip
    return subprocess.Popen([chromium, *flags, "about:blank"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


def _page_socket_url(profile: Path) -> str:
    """The DevTools websocket of the blank page Chromium opened."""
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if active.exists() and active.read_text().strip():
            port = active.read_text().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
                pages = [t for t in json.load(r) if t["type"] == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
        time.sleep(0.2)
    raise AssertionError("chromium did not open its DevTools port in 60 s")


async def _review_in_browser(url: str, profile: Path, shot: Path) -> None:
    import aiohttp

    chromium = _launch_chromium(profile)
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(_page_socket_url(profile), max_msg_size=0) as ws,
        ):
            browser = Browser(ws)
            await browser.call("Page.enable")
            await browser.call("Page.addScriptToEvaluateOnNewDocument", source=HOOK)
            await browser.call("Page.navigate", url=url)
            # the story list, in the header the reviewer named on the server's command line
            seen = await browser.wait_for(f"reviewer: {REVIEWER}")
            seen = await browser.wait_for(RAQQA)
            focus = "document.querySelector('.xterm-helper-textarea').focus()"
            await browser.call("Runtime.evaluate", expression=focus)
            await browser.press("enter")  # open the first story
            seen = await browser.wait_for("Confirm link", after=seen)
            await browser.press("c")  # confirm its link
            seen = await browser.wait_for("confirmed", after=seen)
            await browser.press("n")  # the next open flag
            await asyncio.sleep(1)
            await browser.press("a")  # accept it: the translation does differ
            await browser.wait_for("accepted", after=seen)
            picture = await browser.call("Page.captureScreenshot", format="png")
            shot.write_bytes(base64.b64decode(picture["data"]))
    finally:
        _stop(chromium)


def test_the_served_review_app_works_in_chromium(served: tuple[str, CLI], tmp_path: Path) -> None:
    url, cli = served
    shot = tmp_path / "review.png"
    asyncio.run(_review_in_browser(url, tmp_path / "profile", shot))

    # the decisions are in the database the server was started on, signed by its reviewer
    (raqqa,) = [row for row in cli.json("audit") if RAQQA in row["title"]]
    assert raqqa["link_status"] == "confirmed"
    report = json.loads(cli("report", "--format", "json").stdout)
    decided = [d for s in report["stories"] for d in s.get("decisions", [])]
    assert any(d["reviewer"] == REVIEWER and d["decision"] == "accepted" for d in decided)

    from PIL import Image, ImageStat

    image = Image.open(shot).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 10, shot  # the app is drawn, not a blank page


def test_each_session_runs_review_with_the_reviewer() -> None:
    command = shlex.split(review_command("rania", bidi="app", story="12"))
    assert command[:3] == [sys.executable, "-m", "provenance.cli"]
    assert command[3:] == ["review", "--reviewer", "rania", "--bidi", "app", "12"]
    assert not any("sqlite" in part or "postgres" in part for part in command)


def test_serve_errors_are_one_line(tmp_path: Path, linked_db_path: Path) -> None:
    _require(_has_textual_serve(), "textual-serve not installed: pip install textual-serve")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_provenance(*args), env=_quiet_env(), capture_output=True,
                              text=True, timeout=60)  # fmt: skip

    missing = tmp_path / "missing.db"
    result = run("--db", f"sqlite:///{missing}", "review", "--serve")
    assert result.returncode == 1 and str(missing) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not missing.exists()

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        db = f"sqlite:///{linked_db_path}"
        result = run("--db", db, "review", "--serve", "--port", port)
    assert result.returncode == 1 and f"127.0.0.1:{port}" in result.stderr
    assert "in use" in result.stderr and "Traceback" not in result.stderr

    result = run("--db", db, "review", "--port", "9000")
    assert result.returncode == 2 and "need --serve" in result.stderr

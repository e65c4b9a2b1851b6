"""The explorer in a browser: `python -m aibubble.app` serves it through
Voilà with no code visible; a real headless Chromium moves a slider, waits
for the rerun, and reads the fair value a direct run gives."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

import aibubble

pytest.importorskip("voila")
pytest.importorskip("ipywidgets")

from _browser import chromium, console_errors, screenshot  # noqa: E402

PATHS, SEED = 300, 42
INPUT = "events.big_tech_switch.hazard"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    # A file, not a pipe: Voilà's log must never fill a pipe no one reads.
    log_path = tmp_path_factory.mktemp("app") / "voila.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "aibubble.app", "baseline", "--paths", str(PATHS), "--seed", str(SEED), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = log_path.read_text(errors="replace")
                    pytest.fail(f"the app did not start: {out[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    yield from chromium(1300, 1700)


def _wait_for(browser: Any, text: str, seconds: float = 180) -> str:
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        found = browser.find_elements(By.CSS_SELECTOR, ".aibubble-status")
        status = found[0].text if found else ""
        if text in status:
            return status
        time.sleep(0.25)
    raise AssertionError(f"waited for {text!r}; the status says {status!r}")


def test_moving_a_slider_shows_what_a_direct_run_gives(app: str, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(app)
    _wait_for(browser, "run 1:")
    # No code is visible: Voilà shows outputs only.
    assert browser.find_elements(By.CSS_SELECTOR, ".jp-InputArea, .input_area") == []
    readout = browser.find_element(By.CSS_SELECTOR, f".aibubble-input-{INPUT.replace('.', '-')} .widget-readout")
    readout.click()
    readout.send_keys(Keys.CONTROL, "a")
    readout.send_keys("0.1")
    readout.send_keys(Keys.ENTER)
    _wait_for(browser, "run 2:")
    # The value the explorer ran with, exactly, from its table of changes.
    to = browser.find_element(By.CSS_SELECTOR, 'table[data-table="changes"] tbody tr td:nth-child(3)')
    value = float(to.get_attribute("data-value"))
    assert value == pytest.approx(0.1, abs=1e-3)
    row = browser.find_element(By.XPATH, '//table[@data-table="explorer"]//tr[td[1]="openai"]')
    shown = float(row.find_element(By.XPATH, "td[3]").get_attribute("data-value"))
    base = aibubble.Scenario.preset("baseline")
    want = aibubble.simulate(base.replace({INPUT: value}), paths=PATHS, seed=SEED).summary()
    assert shown == want.loc["openai", "fair_value_mean"]
    assert row.find_element(By.XPATH, "td[3]").text == aibubble._html.fmt(shown)
    assert console_errors(browser) == []
    shot = screenshot(browser, tmp_path, "explorer.png")
    assert shot.stat().st_size > 10_000

"""A headless Chromium for the browser tests: Debian's ``chromium`` and
``chromium-driver`` (apt-get), driven by Selenium against the system
browser; nothing downloads a browser. Absent, the tests skip and say why.

With ``AIBUBBLE_SCREENSHOTS=DIR`` (``make screenshots``), a test also saves
its screenshot there under the name it gives (the README's images)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Iterator, List

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def chromium(width: int = 1300, height: int = 1600) -> Iterator[Any]:
    """A headless Chromium (a generator for a fixture), or a skip."""
    if CHROMIUM is None or DRIVER is None:
        pytest.skip(
            "Debian's chromium and chromium-driver are not installed "
            "(apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(a)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The system driver, so that Selenium Manager never downloads one.
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: Any) -> List[str]:
    """The page's console errors so far (level SEVERE)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def screenshot(driver: Any, tmp_path: Path, name: str) -> Path:
    """Save a screenshot under the test's folder (and under
    ``$AIBUBBLE_SCREENSHOTS`` when set); returns the test's copy."""
    path = tmp_path / name
    driver.save_screenshot(str(path))
    target = os.environ.get("AIBUBBLE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / name)
    return path

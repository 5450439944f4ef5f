"""One way to start a browser for the tests: Debian's chromium, driven by its chromedriver through
selenium, headless. Nothing is ever downloaded (selenium-manager is kept offline). Without chromium,
chromedriver or selenium the tests fail and say what to install (CI installs them with apt-get).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = "apt-get install chromium chromium-driver (Debian/Ubuntu), and pip install selenium"
SHOTS = "CHAINRULE_SHOTS"  # a folder to keep screenshots in, to look at them


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[Any]:
    """A headless chromium of the given window size, as a selenium WebDriver; quit on exit."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(f"the browser tests need {' and '.join(missing)}: {INSTALL}", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(f"the browser tests need selenium: {INSTALL}", pytrace=False)
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must not download anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def keep_shot(driver: Any, name: str) -> Path | None:
    """Save a screenshot as `name` in the folder $CHAINRULE_SHOTS names, if set; returns its path."""
    folder = os.environ.get(SHOTS)
    if not folder:
        return None
    path = Path(folder) / name
    driver.save_screenshot(str(path))
    return path


def copy_shot(shot: Path, name: str) -> None:
    """Copy a screenshot already taken into $CHAINRULE_SHOTS, if set."""
    folder = os.environ.get(SHOTS)
    if folder:
        shutil.copy(shot, Path(folder) / name)

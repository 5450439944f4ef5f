"""The playground in a real JupyterLab, driven by Debian's chromium through selenium.

JupyterLab (from this environment) is started on a free local port with a copy of
notebooks/08_playground.ipynb; the browser opens it, runs every cell, presses play, waits, and
checks that the loss shown fell and the boundary image changed; then clicks a neuron of the
diagram and checks that its chain-rule paths appear. Screenshots are written to
$CHAINRULE_SCREENSHOTS (a temporary folder by default). Like the page's browser tests, this never
skips: without chromium and chromedriver it fails and says what to install.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.browser import chromium, jupyterlab

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "08_playground.ipynb"


def _until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while True:
        try:
            found = condition()
        except Exception:  # the page is still being built: try again
            found = None
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab serving a folder with a copy of notebook 08 without its outputs: its URL."""
    root = tmp_path_factory.mktemp("lab")
    (root / "notebooks").mkdir()
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:  # what the page shows then comes from this run only
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, root / "notebooks" / NOTEBOOK.name)
    with jupyterlab(root) as url:
        yield f"{url}/lab/tree/{NOTEBOOK.name}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(1500, 1100) as driver:
        yield driver


def _answer_dialogs(driver: Any) -> None:
    """Accept any dialog JupyterLab put over the page (it may ask for a kernel late, while the
    page settles), so that it does not catch the clicks meant for the menu."""
    from selenium.webdriver.common.by import By

    for _ in range(5):
        buttons = driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept")
        if not buttons:
            return
        buttons[0].click()
        time.sleep(0.5)


def _menu(driver: Any, menu: str, item: str) -> None:
    from selenium.webdriver.common.by import By

    _answer_dialogs(driver)
    for label in driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel"):
        if label.text == menu:
            label.click()
            break
    else:
        raise AssertionError(f"no menu {menu!r}")
    entry = _until(
        lambda: next(
            e for e in driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel") if e.text == item
        ),
        5,
        f"the menu entry {item!r}",
    )
    entry.click()


def test_play_in_jupyterlab_lowers_the_loss_and_moves_the_boundary(
    lab: str, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    shots = Path(os.environ.get("CHAINRULE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    driver = browser
    driver.get(lab)
    _until(lambda: driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell"), 30, "the notebook")
    _until(lambda: _kernel_ready(driver), 30, "the kernel to be ready")
    try:
        _run_and_play(driver, shots)
    except Exception:
        driver.save_screenshot(str(shots / "playground-failed.png"))
        raise


def _kernel_ready(driver: Any) -> bool:
    """The kernel is idle; a "Select Kernel" dialog, which JupyterLab sometimes asks first, is
    answered with its default (Python 3)."""
    from selenium.webdriver.common.by import By

    for button in driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept"):
        button.click()
        return False
    found = driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']")
    return bool(found) and not driver.find_elements(By.CSS_SELECTOR, ".jp-Dialog")


def _started(driver: Any) -> bool:
    """Some cell has run or is running (its prompt shows a number or a star)."""
    from selenium.webdriver.common.by import By

    prompts = driver.find_elements(By.CSS_SELECTOR, ".jp-InputArea-prompt")
    return any(re.search(r"\[(\d+|\*)\]", p.text) for p in prompts)


def _run_and_play(driver: Any, shots: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    for _ in range(3):  # a click on the menu while the page settles can be lost: try again
        _menu(driver, "Run", "Run All Cells")
        try:
            _until(lambda: _started(driver), 10, "the cells to start")
            break
        except AssertionError:
            continue

    def numbers() -> tuple[float, str, int]:
        view = driver.find_element(By.CSS_SELECTOR, ".chainrule-playground")
        loss = float(view.find_element(By.CSS_SELECTOR, ".chainrule-train-loss").text)
        image = view.find_element(By.CSS_SELECTOR, "image.chainrule-boundary-image").get_attribute("href")
        epoch = int(view.find_element(By.CSS_SELECTOR, ".chainrule-epoch").text)
        return loss, image, epoch

    # every cell has run when the last one has printed the History of the live fit
    _until(lambda: "History(epochs_run=300" in driver.page_source, 60, "all cells to run")
    _until(lambda: numbers()[2] == 200, 10, "the view to show epoch 200")
    view = driver.find_element(By.CSS_SELECTOR, ".chainrule-playground")
    driver.execute_script("arguments[0].scrollIntoView()", view)
    driver.save_screenshot(str(shots / "playground-1-before-play.png"))
    loss_before, image_before, epoch_before = numbers()
    live = driver.find_element(By.CSS_SELECTOR, ".chainrule-live-boundary")  # fit(live=True)'s view
    driver.execute_script("arguments[0].scrollIntoView()", live)
    assert live.find_elements(By.CSS_SELECTOR, "image") and "epoch 300" in driver.page_source
    driver.save_screenshot(str(shots / "playground-0-live-fit.png"))
    driver.execute_script("arguments[0].scrollIntoView()", view)

    view.find_element(By.CSS_SELECTOR, ".chainrule-play button, button.chainrule-play").click()
    _until(lambda: numbers()[2] > epoch_before + 100, 20, "training to go on after play")
    time.sleep(1.0)
    driver.save_screenshot(str(shots / "playground-2-playing.png"))
    view.find_element(By.CSS_SELECTOR, "button.chainrule-pause, .chainrule-pause button").click()
    _until(lambda: "paused" in view.find_element(By.CSS_SELECTOR, ".chainrule-state").text, 10, "pause")
    loss_after, image_after, epoch_after = numbers()
    assert epoch_after > epoch_before
    assert loss_after < loss_before, (loss_before, loss_after)
    assert image_after != image_before

    neuron = view.find_element(By.CSS_SELECTOR, 'circle[data-param="L1.b[0]"]')
    ActionChains(driver).move_to_element(neuron).click().perform()
    found = _until(
        lambda: re.search(r"L1\.b\[0\]</b> after epoch (\d+)", driver.page_source), 20, "the inspection"
    )
    assert int(found.group(1)) == epoch_after
    table = view.find_element(By.CSS_SELECTOR, "table.chainrule-explain")
    driver.execute_script("arguments[0].scrollIntoView()", table)
    driver.save_screenshot(str(shots / "playground-3-inspect.png"))
    assert "dloss/d(L1.b[0])" in table.text or "L1.b[0]" in table.text

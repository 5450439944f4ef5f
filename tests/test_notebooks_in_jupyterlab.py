"""The stored notebooks, opened in JupyterLab as a new reader opens them: untrusted, not run.

JupyterLab sanitises the HTML outputs of an untrusted notebook (an inline `<svg>` loses its
shapes and leaves its text). This test starts JupyterLab on a free local port, with no token, in a
temporary copy of notebooks/ and temporary Jupyter folders (so no notebook gets trusted, saved or
checkpointed), opens each stored notebook in Debian's chromium WITHOUT running it, and checks that
every computation-graph output shows a picture of non-zero size and none of the drawing's source
text, that `explain` tables show as tables, and that the notebook opens unmodified.
Set CHAINRULE_SHOTS to a folder to keep a screenshot of each graph output.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, jupyterlab, keep_shot

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SOURCE_TEXT = ("computation_graph", "_op")  # what a sanitised inline <svg> leaves behind


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a JupyterLab serving a copy of notebooks/."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(NOTEBOOK_DIR, root / "notebooks")
    with jupyterlab(root) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(1280, 1000) as driver:
        yield driver


def graph_cells(path: Path) -> tuple[list[int], list[int]]:
    """Indexes of the code cells whose stored outputs are graph drawings, and explain tables."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    graphs, tables = [], []
    for i, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            html = "".join(output.get("data", {}).get("text/html", ""))
            if "image/svg+xml" in output.get("data", {}) or "data:image/svg+xml" in html:
                graphs.append(i)
            elif "chainrule-explain" in html:
                tables.append(i)
    return graphs, tables


def wait_for(condition: Any, seconds: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.3)


PICTURES = """
const out = arguments[0];
return [...out.querySelectorAll('img, svg')].map(e => {
  const r = e.getBoundingClientRect();
  return [e.tagName.toLowerCase(), r.width, r.height, e.tagName === 'IMG' ? e.naturalWidth : 1];
});
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_graphs_show_as_pictures_in_an_untrusted_notebook(lab: str, browser: Any, path: Path) -> None:
    graphs, tables = graph_cells(path)
    browser.get(f"{lab}/lab/workspaces/{path.stem}/tree/{path.name}")  # a workspace of its own
    wait_for(lambda: browser.find_elements("css selector", ".jp-Notebook .jp-Cell"), 90, "the notebook")
    time.sleep(2)  # outputs render after the cells
    cells = browser.find_elements("css selector", ".jp-Notebook .jp-Cell")
    assert len(cells) == len(json.loads(path.read_text(encoding="utf-8"))["cells"])
    for i in graphs + tables:
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", cells[i])
        time.sleep(0.5)
        outputs = cells[i].find_elements("css selector", ".jp-OutputArea-output")
        shown = " ".join(o.get_property("innerText") for o in outputs)
        for text in SOURCE_TEXT:
            assert text not in shown, f"{path.name}, cell {i}: the drawing shows as text ({shown[:200]!r})"
        if i in tables:
            assert cells[i].find_elements("css selector", ".jp-OutputArea-output table"), f"cell {i}"
            assert "border-collapse" not in shown  # the table's style sheet is not shown as text
            keep_shot(browser, f"lab_{path.stem[:2]}_cell{i}.png")
            continue
        pictures = [p for o in outputs for p in browser.execute_script(PICTURES, o)]
        assert pictures, f"{path.name}, cell {i}: no picture in the output"
        for tag, width, height, natural in pictures:
            assert width > 50 and height > 20 and natural > 0, (path.name, i, tag, width, height, natural)
        keep_shot(browser, f"lab_{path.stem[:2]}_cell{i}.png")
    time.sleep(1)
    dirty = browser.find_elements("css selector", ".jp-mod-dirty")
    assert not dirty, f"{path.name} opens marked as modified"

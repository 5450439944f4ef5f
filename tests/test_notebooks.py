"""Every notebook in notebooks/ runs from top to bottom and still prints what it has stored.

The notebooks are committed with their outputs, so that they read on any notebook viewer without
running. This test executes each `notebooks/*.ipynb` (a new notebook is picked up by the glob)
and compares its text outputs, cell by cell, with the stored ones: a stored output that the code
no longer produces fails, naming the cell and showing the difference.

Rules for notebooks, so that their text is the same on every machine:
- Print computed numbers with fixed digits (`f"{x:.6f}"`), not as bare float reprs.
- A cell whose output varies between runs (timings) starts with the line `# varies: <why>`; its
  outputs are stored but not compared. Keep such cells small: nothing else in them is checked.
- Pictures are compared by their text form only (e.g. `<Figure size 650x400 with 1 Axes>`); a
  memory address in a repr (`at 0x7f...`) is ignored.
- A progress bar (the tqdm widget of `nn.fit`) is stored as one line of text: its final state,
  without the timings.

Re-execute notebooks and store their outputs (every notebook when no path is given):

    python tests/test_notebooks.py notebooks/03_backprop_worked_example.ipynb
"""

from __future__ import annotations

import difflib
import html
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
VARIES = "# varies:"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
STORE_COMMAND = "python tests/test_notebooks.py"

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# tqdm's "[00:02<00:00, 61.3epoch/s" (and "[00:00<?, ?epoch/s"): the part of a bar that is a timing
_TIMING = re.compile(r"\[[\d:]+<[^,\]]*(, *[^,\]]*/s)?(, *)?")


def execute(path: Path) -> Any:
    """Run the notebook at `path` in a fresh kernel (working directory: its folder); return it tidied."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return tidy(notebook)


def tidy(notebook: Any) -> Any:
    """Progress widgets become their final text; consecutive prints to one stream become one output."""
    state = notebook.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        outputs: list[Any] = []
        for output in cell.outputs:
            output = _widget_as_text(output, state)
            if output.output_type == "stream":
                output.text = _terminal_text(output.text)
                if outputs and outputs[-1].output_type == "stream" and outputs[-1].name == output.name:
                    outputs[-1].text += output.text
                    continue
            outputs.append(output)
        cell.outputs = outputs
    return notebook


def _widget_as_text(output: Any, state: dict[str, Any]) -> Any:
    view = output.get("data", {}).get(WIDGET_VIEW)
    if view is None:
        return output
    box = state.get(view["model_id"], {}).get("state", {})
    parts = [
        state.get(child.removeprefix("IPY_MODEL_"), {}).get("state", {}) for child in box.get("children", [])
    ]
    if len(parts) != 3:  # not a tqdm bar (label, bar, label): keep its text form only
        return nbformat.v4.new_output("display_data", data={"text/plain": output.data.get("text/plain", "")})
    prefix, suffix = (html.unescape(str(p.get("value", ""))).replace("\u2007", " ") for p in parts[::2])
    bar = parts[1]
    filled = round(10 * bar.get("value", 0) / bar.get("max", 1)) if bar.get("max") else 0
    text = _TIMING.sub("[", f"{prefix}|{'█' * filled}{' ' * (10 - filled)}|{suffix}").replace(" []", "")
    return nbformat.v4.new_output("display_data", data={"text/plain": text})


def _terminal_text(text: str) -> str:
    """What a terminal shows: on each line, only what follows the last carriage return."""
    lines = [line.rsplit("\r", 1)[-1] for line in text.split("\n")]
    return "\n".join(_TIMING.sub("[", line).replace(" []", "") if "|" in line else line for line in lines)


def texts(notebook: Any) -> list[tuple[int, str, str]]:
    """(cell number, first line of source, text of its outputs) for each compared code cell."""
    found = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or cell.source.lstrip().startswith(VARIES):
            continue
        shown = []
        for output in cell.outputs:
            if output.output_type == "stream":
                shown.append(f"[{output.name}]\n{output.text}")
            elif output.output_type == "error":
                shown.append(f"[error]\n{output.ename}: {output.evalue}")
            else:
                shown.append(_ADDRESS.sub(" at 0x...", str(output.get("data", {}).get("text/plain", ""))))
        found.append((number, cell.source.split("\n", 1)[0], "\n".join(shown)))
    return found


def test_varies_cells_are_not_compared_and_addresses_are_ignored() -> None:
    notebook = nbformat.v4.new_notebook()
    timed = nbformat.v4.new_code_cell("# varies: a timing\nprint(seconds)")
    timed.outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.123 s\n")]
    drawn = nbformat.v4.new_code_cell("draw_graph(z)")
    drawn.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "<Drawing at 0x7f3a>"})]
    notebook.cells = [timed, drawn, nbformat.v4.new_markdown_cell("text")]
    assert texts(notebook) == [(1, "draw_graph(z)", "<Drawing at 0x...>")]


def test_a_progress_widget_is_stored_as_its_final_text_without_timings() -> None:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fit(...)")
    view = {
        WIDGET_VIEW: {"model_id": "box"},
        "text/plain": "epochs:   0%|          | 0/4 [00:00<?, ?epoch/s]",
    }
    cell.outputs = [
        nbformat.v4.new_output("display_data", data=view),
        nbformat.v4.new_output("stream", name="stdout", text="a"),
        nbformat.v4.new_output("stream", name="stdout", text="b\n"),
    ]
    notebook.cells = [cell]
    children = ["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"]
    notebook.metadata["widgets"] = {
        WIDGET_STATE: {
            "state": {
                "box": {"state": {"children": children}},
                "left": {"state": {"value": "epochs:\u2007100%"}},
                "bar": {"state": {"value": 4.0, "max": 4.0}},
                "right": {
                    "state": {"value": "\u20074/4\u2007[00:01&lt;00:00,\u20072.50epoch/s,\u2007loss=0.1]"}
                },
            }
        }
    }
    tidied = tidy(notebook)
    assert "widgets" not in tidied.metadata
    assert [o.output_type for o in tidied.cells[0].outputs] == ["display_data", "stream"]
    assert tidied.cells[0].outputs[0].data == {"text/plain": "epochs: 100%|██████████| 4/4 [loss=0.1]"}
    assert tidied.cells[0].outputs[1].text == "ab\n"


def test_a_text_progress_bar_keeps_its_last_state() -> None:
    text = (
        "epochs:   0%|   | 0/2 [00:00<?, ?epoch/s]\r"
        + "epochs: 100%|###| 2/2 [00:01<00:00, 1.9epoch/s, loss=0.5]\n"
    )
    assert _terminal_text(text) == "epochs: 100%|###| 2/2 [loss=0.5]\n"


def test_notebooks_are_found() -> None:
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_outputs_are_current(path: Path) -> None:
    stored = nbformat.read(path, as_version=4)
    assert WIDGET_VIEW not in path.read_text(encoding="utf-8"), f"{path.name} stores a widget: re-store it"
    fresh = execute(path)
    for (number, first_line, want), (_, _, got) in zip(texts(stored), texts(fresh), strict=True):
        if got != want:
            diff = "\n".join(
                difflib.unified_diff(want.splitlines(), got.splitlines(), "stored", "now", lineterm="")
            )
            pytest.fail(
                f"{path.name}, cell {number} ({first_line!r}) no longer prints its stored output.\n"
                f"Re-store it with: {STORE_COMMAND} notebooks/{path.name}\n{diff}"
            )


# as JupyterLab writes it: a notebook stored with another display name opens marked as modified
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def store(paths: list[Path]) -> None:
    """Execute each notebook and write it back with its tidied outputs."""
    for path in paths:
        notebook = execute(path)
        notebook.metadata["kernelspec"] = dict(KERNELSPEC)
        nbformat.write(notebook, path)
        print(f"stored {path}")


if __name__ == "__main__":
    store([Path(arg) for arg in sys.argv[1:]] or NOTEBOOKS)

"""autograd.views.page: the interactive HTML page, checked as a file and in a real browser.

The browser tests drive Debian's chromium with chromedriver through selenium, one browser for the
whole module. They never skip: without chromium and chromedriver they fail and say what to install
(CI installs both with apt-get).
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, viz
from autograd.cli import main
from autograd.graph import topological_order
from autograd.views import page
from tests.autograd.examples import worked_example
from tests.browser import chromium, copy_shot, keep_shot


def page_data(document: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="chainrule-data">(.*?)</script>', document, re.S)
    assert found
    data: dict[str, Any] = json.loads(found.group(1))
    return data


# --- the file ------------------------------------------------------------------------------------


def test_the_page_is_one_self_contained_file(tmp_path: Path) -> None:
    E = worked_example()
    path = viz.save_html(E, tmp_path / "graph.html")
    document = path.read_text(encoding="utf-8")
    assert document.startswith("<!DOCTYPE html>") and document.rstrip().endswith("</html>")
    assert "<script src" not in document and "<link" not in document and "@import" not in document
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", document))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # names, never fetched
    data = page_data(document)
    order = topological_order(E)
    assert len(data["nodes"]) == len(order) == 31
    assert data["order"][0] == f"v{len(order) - 1}"  # backward starts at the output
    assert len(data["edges"]) == sum(len(node.parents) for node in order)
    w5 = next(n for n in data["nodes"] if n["name"] == "w5")
    heading, footing, cells = w5["paths"]  # explain's table: its rows are indexes into "strings"
    assert heading == "dE/dw5: 1 path" and footing.startswith("sum of 1 path: dE/dw5 = ")
    assert "dnet_y1/dw5" in [data["strings"][k] for k in cells] and len(cells) % 4 == 0


def test_names_with_markup_cannot_break_out(tmp_path: Path) -> None:
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = Value(2.0, label='a & "b" <c>')
    out = x * y
    out.label = "<b>out</b>"
    out.backward()
    document = viz.interactive(out).html
    assert document.count("<script") == 2  # the data and the page's own script
    assert "alert(1)</script>" not in document
    data = page_data(document)
    assert {n["name"] for n in data["nodes"]} == {x.label, y.label, out.label}


def test_inline_in_jupyter_and_plain_text() -> None:
    p = viz.interactive(worked_example())
    frame = p._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    assert "<script" not in frame  # the page is inside the attribute, escaped
    assert "GraphPage" in repr(p) and "31 values" in repr(p) and ".save(path)" in repr(p)


def test_cli_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "graph.html"
    assert main(["graph", "x*y + x**2", "--at", "x=3", "y=-3", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    names = {n["name"] for n in page_data(out.read_text(encoding="utf-8"))["nodes"]}
    assert {"x", "y", "x*y", "x**2", "x*y + x**2"} <= names


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="Value"):
        viz.save_html(3.0, tmp_path / "x.html")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.save_html(Value(1.0), tmp_path / "missing" / "x.html")
    assert list(tmp_path.iterdir()) == []
    assert page.MAX_PATHS >= 10


# --- in a browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.fixture(scope="module")
def example_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Value]:
    E = worked_example()
    return viz.save_html(E, tmp_path_factory.mktemp("page") / "graph.html"), E


def open_page(driver: Any, path: Path) -> None:
    driver.get(path.as_uri())
    driver.get_log("browser")  # start from an empty log
    driver.refresh()


def severe(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def view_box(driver: Any) -> list[float]:
    text = driver.find_element("css selector", "#graph svg").get_dom_attribute("viewBox")
    return [float(v) for v in text.split()]


def test_the_page_loads_without_console_errors(browser: Any, example_page: tuple[Path, Value]) -> None:
    path, _ = example_page
    open_page(browser, path)
    assert browser.title == "computation graph of E"
    assert severe(browser) == []
    status = browser.find_element("id", "status").text
    assert "31 boxes wait for their grad" in status
    shown = [t.get_property("textContent") for t in browser.find_elements("css selector", "g.node text")]
    assert "grad ?" in shown and not any(t.startswith("grad 0") for t in shown)


def test_each_step_gives_one_more_box_the_engines_grad(
    browser: Any, example_page: tuple[Path, Value]
) -> None:
    path, E = example_page
    open_page(browser, path)
    order = topological_order(E)
    engine = {f"v{i}": node.grad for i, node in enumerate(order)}
    step = browser.find_element("id", "step")
    for k in range(1, 7):
        step.click()
        done = browser.find_elements("css selector", "g.node.has-grad")
        assert len(done) == k
        for box in done:
            node = box.get_attribute("data-node")
            assert float(box.get_attribute("data-grad")) == engine[node]
    # the sixth box in reverse topological order, and its grad on the drawing
    sixth = browser.find_element("css selector", "g.node.current")
    texts = [t.get_property("textContent") for t in sixth.find_elements("tag name", "text")]
    assert f"grad {engine[sixth.get_attribute('data-node')]:#.4g}" in texts
    assert browser.find_element("id", "status").text.startswith(f"Step 6 of {len(order)}: grad of ")
    browser.find_element("id", "run").click()
    assert len(browser.find_elements("css selector", "g.node.has-grad")) == len(order)
    assert step.get_attribute("disabled") is not None
    browser.find_element("id", "reset").click()
    assert browser.find_elements("css selector", "g.node.has-grad") == []
    assert severe(browser) == []


def test_hovering_an_edge_shows_its_local_derivative(browser: Any, example_page: tuple[Path, Value]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    path, E = example_page
    open_page(browser, path)
    browser.find_element("id", "fit").click()  # the whole graph in view, to point at any edge
    order = topological_order(E)
    net_y1 = next(i for i, node in enumerate(order) if node.label == "net_y1")
    k = next(k for k, p in enumerate(order[net_y1].parents) if p.label == "w5")
    label = browser.find_element("css selector", f"g#e{net_y1}_{k} text")
    ActionChains(browser).move_to_element(label).perform()
    tip = browser.find_element("id", "tip")
    assert tip.is_displayed()
    local = order[net_y1].local_grads[k]  # d(net_y1)/d(w5) = out_h1
    assert tip.text == f"local derivative dnet_y1/dw5 = {local:.4g}"
    box = browser.find_element("css selector", f"g.node[data-node='v{net_y1}']")
    ActionChains(browser).move_to_element(box).perform()
    assert tip.text.startswith("net_y1\nop dot\ndata 0.5482\ngrad ? ")


def test_clicking_a_box_lists_its_paths(browser: Any, example_page: tuple[Path, Value]) -> None:
    path, _ = example_page
    open_page(browser, path)
    browser.find_element("id", "fit").click()
    browser.find_element("xpath", "//*[local-name()='g'][@class='node clickable'][.//*[text()='b1']]").click()
    panel = browser.find_element("id", "panel")
    assert panel.find_element("tag name", "h2").text == "b1"
    table = panel.find_element("css selector", "table.chainrule-explain")
    assert "dE/db1: 4 paths" in table.text
    assert len(table.find_elements("css selector", "tr.start")) == 4


def test_pan_and_zoom_change_the_view_box(browser: Any, example_page: tuple[Path, Value]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    path, _ = example_page
    open_page(browser, path)
    before = view_box(browser)
    browser.find_element("id", "zoom-in").click()
    zoomed = view_box(browser)
    assert zoomed[2] == pytest.approx(before[2] / 1.25) and zoomed[3] == pytest.approx(before[3] / 1.25)
    frame = browser.find_element("id", "graph")
    ActionChains(browser).move_to_element(frame).click_and_hold().move_by_offset(120, 80).release().perform()
    panned = view_box(browser)
    assert panned[0] < zoomed[0] and panned[1] < zoomed[1] and panned[2:] == zoomed[2:]
    browser.find_element("id", "fit").click()
    whole = view_box(browser)
    assert whole[2] > zoomed[2]
    assert severe(browser) == []


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_a_screenshot_of_the_worked_example(
    browser: Any, example_page: tuple[Path, Value], tmp_path: Path
) -> None:
    path, _ = example_page
    open_page(browser, path)
    shot = tmp_path / "page.png"
    assert browser.save_screenshot(str(shot))
    width, height = png_size(shot)
    assert width >= 1000 and height >= 600
    assert shot.stat().st_size > 30_000  # a drawing, not a blank page
    copy_shot(shot, "page_222.png")


def test_hostile_names_load_cleanly(browser: Any, tmp_path: Path) -> None:
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = Value(2.0, label='a & "b" <c>')
    out = x * y
    out.label = "<b>out</b>"
    out.backward()
    path = viz.save_html(out, tmp_path / "hostile.html")
    open_page(browser, path)
    assert severe(browser) == []
    texts = [t.get_property("textContent") for t in browser.find_elements("css selector", "g.node text")]
    assert x.label in texts and y.label in texts and "<b>out</b>" in texts
    browser.find_element("id", "run").click()
    assert len(browser.find_elements("css selector", "g.node.has-grad")) == 3


# --- a network's graph: the tall page --------------------------------------------------------------


def network_loss() -> Value:
    """One sample's loss through a 2-16-16-1 MLP, after backward: 405 values."""
    import nn

    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.binary_cross_entropy_with_logits(model([Value(0.5, label="x1"), Value(-0.2, label="x2")]), 1.0)
    loss.label = "loss"
    loss.backward()
    return loss


@pytest.fixture(scope="module")
def network_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Value]:
    loss = network_loss()
    return viz.save_html(loss, tmp_path_factory.mktemp("page") / "network.html"), loss


def test_the_network_page_weighs_at_most_a_megabyte(network_page: tuple[Path, Value]) -> None:
    path, loss = network_page
    assert len(topological_order(loss)) == 405
    assert path.stat().st_size <= 1_000_000
    document = path.read_text(encoding="utf-8")
    assert 'collapse="neuron"' in document  # the page says how to get one box per neuron


def test_backward_steps_go_by_depth_from_the_output() -> None:
    loss = network_loss()
    order = topological_order(loss)
    index = {node: i for i, node in enumerate(order)}
    steps = [order[int(v[1:])] for v in page_data(viz.interactive(loss).html)["order"]]
    assert steps[0] is loss and len(steps) == len(order)
    done: set[Value] = set()
    for node in steps:  # every use of a box is done before it: a valid backward order
        users = [c for c in order if any(p is node for p in c.parents)]
        assert all(c in done for c in users), node
        done.add(node)
    # the last layer's neuron before the layer below's: the first dot after the loss's own ops
    dots = [node for node in steps if node.op == "dot"]
    assert [index[d] for d in dots[1:17]] == sorted(index[d] for d in dots[1:17])  # neuron 0 first


def test_one_box_per_neuron_on_the_page(tmp_path: Path) -> None:
    loss = network_loss()
    path = viz.save_html(loss, tmp_path / "folded.html", collapse="neuron")
    data = page_data(path.read_text(encoding="utf-8"))
    assert len(data["nodes"]) < 60 and len(data["order"]) == len(data["nodes"])
    assert 'collapse="neuron"' not in path.read_text(encoding="utf-8").split("<main>")[0]
    with pytest.raises(ValueError, match="collapse"):
        viz.save_html(loss, tmp_path / "x.html", collapse="layer")


def box_in_view(driver: Any, node: str) -> bool:
    return bool(
        driver.execute_script(
            """const g = document.querySelector(`g.node[data-node='${arguments[0]}']`);
            const r = g.getBoundingClientRect(), f = document.getElementById('graph').getBoundingClientRect();
            return r.width > 0 && r.left >= f.left && r.right <= f.right
                && r.top >= f.top && r.bottom <= f.bottom;""",
            node,
        )
    )


def panel_fits(driver: Any) -> bool:
    return bool(
        driver.execute_script(
            """const p = document.getElementById('panel'), t = p.querySelector('table');
            return t !== null && t.getBoundingClientRect().right <= p.getBoundingClientRect().right + 1;"""
        )
    )


@pytest.mark.parametrize("which", ["small", "worked_example", "network"])
def test_load_steps_and_run_to_end(
    browser: Any,
    example_page: tuple[Path, Value],
    network_page: tuple[Path, Value],
    tmp_path: Path,
    which: str,
) -> None:
    path, _ = example_page if which == "worked_example" else network_page
    if which == "small":
        x, y = Value(3.0, label="x"), Value(-3.0, label="y")
        f = x * y + x**2
        f.backward()
        path = viz.save_html(f, tmp_path / "small.html")
    open_page(browser, path)
    data = page_data(path.read_text(encoding="utf-8"))
    output = data["order"][0]
    frame = browser.find_element("id", "graph").size
    box = view_box(browser)
    drawn = viz.svg_size(re.search(r"<svg[^>]*>", path.read_text(encoding="utf-8"), re.S).group(0))
    fitted = min(frame["width"] / drawn[0], frame["height"] / drawn[1])  # the scale "fit" gives
    scale = min(frame["width"] / box[2], frame["height"] / box[3]) * 3 / 4  # of the drawing at 100%
    if fitted >= 0.75:  # fitted, as the text stays at 9 px or more
        assert scale == pytest.approx(fitted, rel=0.02)
    else:  # at 100%, on the output
        assert scale == pytest.approx(1.0, rel=0.02) and box_in_view(browser, output)
    assert (which == "small") == (fitted >= 0.75)
    if which == "network":
        assert "collapse" in browser.find_element("id", "hint").text
    assert severe(browser) == []
    keep_shot(browser, f"page_{which}_load.png")
    # a box of the first layer below the output, clicked: its panel follows the steps
    first = data["order"][3]
    browser.execute_script(
        "document.querySelector(`g.node[data-node='${arguments[0]}']`)"
        ".dispatchEvent(new MouseEvent('click', {bubbles: true}))",
        first,
    )
    panel = browser.find_element("id", "panel")
    assert "? (backward has not reached it)" in panel.text and panel_fits(browser)
    step = browser.find_element("id", "step")
    for _ in range(5):
        step.click()
        current = browser.find_element("css selector", "g.node.current").get_attribute("data-node")
        assert box_in_view(browser, current)  # the view pans to the box that got its grad
    assert [g.get_attribute("data-node") for g in browser.find_elements("css selector", "g.node.has-grad")]
    assert "? (backward" not in panel.text  # the 4th box has its grad now, and the panel says so
    keep_shot(browser, f"page_{which}_5_steps.png")
    browser.find_element("id", "run").click()
    shown = [t.get_property("textContent") for t in browser.find_elements("css selector", "g.node text")]
    assert "grad ?" not in shown and "? (backward" not in panel.text and panel_fits(browser)
    assert severe(browser) == []
    keep_shot(browser, f"page_{which}_run_to_end.png")

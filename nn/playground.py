"""`Playground`: watch a network learn in Jupyter, with controls (ipywidgets).

    pg = nn.Playground(dataset="spiral", hidden=(16, 16))
    pg            # shows the view; press play
    pg.picture()  # a still picture of the view now (SVG), which reads without a kernel

The view is four pictures redrawn while a `Trainer` (nn/trainer.py) trains in a background
thread: the decision boundary over the points (validation points hollow), the loss curves, the
network diagram (edges by weight, neurons by bias) and the numbers of the current epoch. Click
an edge or a neuron of the diagram, or pick a parameter from the list, to see its value, its
gradient and the chain-rule paths from it to the loss (`autograd.explain`) at the current step.
"""

from __future__ import annotations

import html
import threading
from typing import Any

from . import datasets
from .frames import ACTIVATIONS, boundary_svg, extent, grid, loss_svg, network_svg
from .trainer import LOSSES, OPTIMIZERS, Snapshot, Trainer

BATCH_SIZES: list[tuple[str, int]] = [  # 0 stands for the whole training set (None in Settings)
    ("all", 0),
    ("1", 1),
    ("8", 8),
    ("16", 16),
    ("32", 32),
    ("64", 64),
]

# A click on a part of the diagram writes its name into the hidden "pick" text box, which tells
# the kernel (inline handlers run in widget HTML; <script> elements would not).
_PICK = (
    "var root=this.closest('.chainrule-playground');"
    "var box=root&&root.querySelector('.chainrule-pick input');"
    "if(box){box.value=this.getAttribute('data-param');"
    "box.dispatchEvent(new Event('input',{bubbles:true}));"
    "box.dispatchEvent(new Event('change',{bubbles:true}));}"
)


def parse_hidden(text: str) -> tuple[int, ...]:
    """Hidden layer sizes typed in a text box: "16, 16" gives (16, 16)."""
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"hidden layers must be whole numbers separated by commas, got {text!r}") from None
    if not sizes:
        raise ValueError("give at least one hidden layer size, e.g. 8, 8")
    return sizes


class Frames:
    """The pictures of a trainer's snapshots, as SVG text (no widgets: used by the view and tests)."""

    def __init__(self, trainer: Trainer, resolution: int = 72) -> None:
        self.trainer = trainer
        self.resolution = resolution
        self.selected: str | None = None
        self.refresh_data()

    def refresh_data(self) -> None:
        """Recompute where the grid lies (after the data changed)."""
        self.box = extent(self.trainer.X_all)
        self.points = grid(self.box, self.resolution)

    def boundary(self, snap: Snapshot) -> str:
        t = self.trainer
        p = t.probabilities(snap.weights, self.points)
        return boundary_svg(p, self.box, t.X, t.y, X_val=t.X_val, y_val=t.y_val)

    def loss(self, snap: Snapshot) -> str:
        return loss_svg(snap.train_loss, snap.val_loss)

    def network(self, snap: Snapshot, clickable: bool = True) -> str:
        svg = network_svg(self.trainer.net, snap.weights, self.trainer.labels, self.selected)
        if clickable:
            svg = svg.replace(
                "<line data-param=", f'<line style="cursor:pointer" onclick="{_PICK}" data-param='
            )
            svg = svg.replace(
                "<circle data-param=", f'<circle style="cursor:pointer" onclick="{_PICK}" data-param='
            )
        return svg

    def numbers(self, snap: Snapshot) -> str:
        """The current epoch's numbers as HTML (each in a span with a class, for tests)."""

        def cell(name: str, value: float | None, css: str, digits: str = ".4g") -> str:
            shown = "-" if value is None else format(value, digits)
            return f'<td>{name}</td><td class="{css}" style="text-align:right">{shown}</td>'

        last = snap.train_loss[-1] if snap.train_loss else None
        last_val = snap.val_loss[-1] if snap.val_loss else None
        state = "playing" if snap.playing else "paused"
        rows = [
            f'<td>epoch</td><td class="chainrule-epoch" style="text-align:right">{snap.epoch}</td>',
            cell("training loss", last, "chainrule-train-loss"),
            cell("validation loss", last_val, "chainrule-val-loss"),
            cell("training accuracy", snap.accuracy, "chainrule-accuracy", ".1%"),
            cell("validation accuracy", snap.val_accuracy, "chainrule-val-accuracy", ".1%"),
        ]
        body = "".join(f"<tr>{r}</tr>" for r in rows)
        warning = (
            f'<p class="chainrule-diverged" style="color:#b91c1c">{html.escape(snap.diverged)}</p>'
            if snap.diverged
            else ""
        )
        return (
            f'<div class="chainrule-numbers"><b class="chainrule-state">{state}</b>'
            f'<table style="font-family:monospace">{body}</table>{warning}</div>'
        )

    def picture(self, snap: Snapshot) -> str:
        """One SVG of the whole view: boundary, loss curves, diagram and a line of numbers."""
        s = self.trainer.settings
        last = f"{snap.train_loss[-1]:.4g}" if snap.train_loss else "-"
        acc = f"{snap.accuracy:.1%}" if snap.accuracy is not None else "-"
        title = (
            f"{s.dataset}, {self.trainer.net}, {s.activation}, {s.loss}, {s.optimizer} lr={s.lr:g}: "
            f"epoch {snap.epoch}, training loss {last}, training accuracy {acc}"
        )
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="432" viewBox="0 0 720 432" '
            'font-family="sans-serif" font-size="12">'
            '<rect width="720" height="432" fill="white"/>'
            f'<text x="4" y="14">{html.escape(title)}</text>'
            f"{_placed(self.boundary(snap), 4, 24)}"
            f"{_placed(self.network(snap, clickable=False), 344, 24)}"
            f"{_placed(self.loss(snap), 364, 288)}"
            "</svg>"
        )


def _placed(svg: str, x: int, y: int) -> str:
    """An SVG picture placed at (x, y) inside another SVG."""
    return svg.replace('<svg xmlns="http://www.w3.org/2000/svg"', f'<svg x="{x}" y="{y}"', 1)


class Picture:
    """A still picture of the playground (SVG): shows as an image in Jupyter, even without a kernel."""

    def __init__(self, svg: str, text: str) -> None:
        self.svg, self.text = svg, text

    def _repr_html_(self) -> str:
        # an <img> of the SVG survives an untrusted notebook's sanitiser; a bare SVG output does not
        from autograd.views.inline import image

        return image(self.svg, alt=self.text)

    def __repr__(self) -> str:
        return f"<Playground picture: {self.text}>"


class Playground:
    """A network learning live in Jupyter: see the module docstring. Arguments are those of
    `Trainer` (`data=(X, y)` for your own points, and the `Settings`: dataset, samples, noise,
    hidden, activation, loss, optimizer, lr, batch_size, val_fraction, seed), plus `fps`, the
    most redraws a second, and `resolution`, the boundary image's pixels per side."""

    def __init__(
        self, data: tuple[Any, Any] | None = None, *, fps: float = 30.0, resolution: int = 72, **settings: Any
    ) -> None:
        try:
            import ipywidgets as widgets
        except ImportError:
            raise ImportError("nn.Playground needs ipywidgets: pip install 'chainrule[examples]'") from None
        self._lock = threading.RLock()
        self._syncing = False  # True while the controls are set to the trainer's settings
        self.frames_shown = 0
        self._ready = False
        self.trainer = Trainer(data, on_frame=self._show, fps=fps, **settings)
        self.frames = Frames(self.trainer, resolution)
        self._build(widgets, data is not None)
        self._shown_settings = self.trainer.settings
        self._ready = True
        self._show(self.trainer.snapshot())

    # --- building the widgets -------------------------------------------------------------------

    def _build(self, W: Any, custom: bool) -> None:
        s = self.trainer.settings
        wide = {"description_width": "90px"}
        names = [*datasets.NAMES, *(["custom"] if custom else [])]
        self.dataset = W.Dropdown(options=names, value=s.dataset, description="data", style=wide)
        self.noise = W.FloatSlider(
            value=s.noise,
            min=0.0,
            max=0.5,
            step=0.01,
            description="noise",
            style=wide,
            continuous_update=False,
        )
        self.hidden = W.Text(
            value=", ".join(map(str, s.hidden)),
            description="hidden layers",
            style=wide,
            continuous_update=False,
        )
        self.activation = W.Dropdown(
            options=list(ACTIVATIONS), value=s.activation, description="activation", style=wide
        )
        self.loss_choice = W.Dropdown(options=list(LOSSES), value=s.loss, description="loss", style=wide)
        self.optimizer = W.Dropdown(
            options=list(OPTIMIZERS), value=s.optimizer, description="optimizer", style=wide
        )
        self.lr = W.FloatLogSlider(
            value=s.lr, base=10, min=-4, max=0, step=0.1, description="learning rate", style=wide,
            continuous_update=False, readout_format=".4f",
        )  # fmt: skip
        batch = s.batch_size if s.batch_size in dict(BATCH_SIZES).values() else 0
        self.batch = W.Dropdown(options=BATCH_SIZES, value=batch, description="batch size", style=wide)
        for control, name in (
            (self.dataset, "dataset"),
            (self.noise, "noise"),
            (self.activation, "activation"),
            (self.loss_choice, "loss"),
            (self.optimizer, "optimizer"),
            (self.lr, "lr"),
            (self.batch, "batch_size"),
        ):
            control.observe(self._setting(name), names="value")
        self.hidden.observe(self._hidden_changed, names="value")

        self.play_button = W.Button(description="play", icon="play", button_style="success")
        self.pause_button = W.Button(description="pause", icon="pause")
        self.step_button = W.Button(description="step", icon="step-forward", tooltip="one epoch")
        self.reset_button = W.Button(description="reset", icon="undo")
        for button, css, action in (
            (self.play_button, "chainrule-play", lambda _: self.play()),
            (self.pause_button, "chainrule-pause", lambda _: self.pause()),
            (self.step_button, "chainrule-step", lambda _: self.trainer.step()),
            (self.reset_button, "chainrule-reset", lambda _: self.reset()),
        ):
            button.add_class(css)
            button.on_click(action)

        self.boundary = W.HTML()
        self.loss = W.HTML()
        self.network = W.HTML()
        self.numbers = W.HTML()
        self.message = W.HTML()
        self.parameter = W.Dropdown(
            options=["(pick a weight or bias)", *self.trainer.labels], description="inspect", style=wide
        )
        self.parameter.observe(lambda change: self.inspect(change["new"]), names="value")
        self.pick = W.Text(layout=W.Layout(display="none"))  # written by clicks on the diagram
        self.pick.add_class("chainrule-pick")
        self.pick.observe(lambda change: self.inspect(change["new"]), names="value")
        self.inspection = W.HTML()
        self.boundary.add_class("chainrule-boundary-view")
        self.numbers.add_class("chainrule-numbers-view")

        controls = W.VBox(
            [
                W.HBox([self.play_button, self.pause_button, self.step_button, self.reset_button]),
                self.dataset,
                self.noise,
                self.hidden,
                self.activation,
                self.loss_choice,
                self.optimizer,
                self.lr,
                self.batch,
                self.message,
                self.numbers,
            ],
            layout=W.Layout(width="340px"),
        )
        pictures = W.VBox([self.network, self.loss])
        self.widget = W.VBox(
            [W.HBox([controls, self.boundary, pictures]), self.parameter, self.pick, self.inspection]
        )
        self.widget.add_class("chainrule-playground")

    def _setting(self, name: str) -> Any:
        def changed(change: dict[str, Any]) -> None:
            if self._syncing:
                return
            value = change["new"]
            self.configure(**{name: (value or None) if name == "batch_size" else value})

        return changed

    def _hidden_changed(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        try:
            hidden = parse_hidden(change["new"])
        except ValueError as exc:
            self._say(str(exc))
            return
        self.configure(hidden=hidden)

    def _say(self, text: str) -> None:
        colour = "#b91c1c" if text else "inherit"
        self.message.value = f'<span style="color:{colour}">{html.escape(text)}</span>'

    # --- actions --------------------------------------------------------------------------------

    def play(self) -> None:
        """Train continuously in the background."""
        self.trainer.play()

    def pause(self) -> None:
        self.trainer.pause()

    def reset(self) -> None:
        """A fresh network: the initial weights again, losses cleared."""
        self.trainer.reset()
        self.inspection.value = ""

    def configure(self, **changes: Any) -> None:
        """Change settings (as the controls do); a bad value is reported under the controls."""
        try:
            self.trainer.configure(**changes)
        except (ValueError, TypeError) as exc:
            self._say(str(exc))
            return
        self._say("")
        self._show(self.trainer.snapshot())

    def inspect(self, label: str) -> None:
        """Show one parameter's value, gradient and chain-rule paths to the loss, now."""
        if label not in self.trainer.labels:
            return
        if self.parameter.value != label:
            self.parameter.value = label  # its observer comes back here
            return
        self.pick.value = ""  # so that a second click on the same part counts again
        self.frames.selected = label
        found = self.trainer.inspect(label)
        self.inspection.value = (
            f"<p><b>{html.escape(found.label)}</b> after epoch {found.epoch}: value "
            f"<code>{found.value:.6g}</code>, gradient d loss / d {html.escape(found.label)} = "
            f"<code>{found.grad:.6g}</code> (on the whole training set)</p>{found.explanation.to_html()}"
        )
        self._show(self.trainer.snapshot())

    def picture(self) -> Picture:
        """A still picture of the view now (SVG), e.g. to keep in a saved notebook."""
        snap = self.trainer.snapshot()
        last = f"{snap.train_loss[-1]:.4g}" if snap.train_loss else "-"
        return Picture(self.frames.picture(snap), f"epoch {snap.epoch}, training loss {last}")

    def close(self) -> None:
        """Stop training and close the widgets."""
        self.trainer.close()
        self.widget.close()

    def _show(self, snap: Snapshot) -> None:
        if not self._ready:
            return
        with self._lock:
            if self.trainer.settings != self._shown_settings:
                self._sync_controls()
            self.boundary.value = self.frames.boundary(snap)
            self.loss.value = self.frames.loss(snap)
            self.network.value = self.frames.network(snap)
            self.numbers.value = self.frames.numbers(snap)
            self.frames_shown += 1

    def _sync_controls(self) -> None:
        """Show the trainer's settings in the controls (after `trainer.configure` from code)."""
        s = self.trainer.settings
        self._syncing = True
        try:
            self.dataset.value, self.noise.value = s.dataset, s.noise
            self.hidden.value = ", ".join(map(str, s.hidden))
            self.activation.value, self.loss_choice.value = s.activation, s.loss
            self.optimizer.value, self.lr.value = s.optimizer, s.lr
            if s.batch_size in dict(BATCH_SIZES).values() or s.batch_size is None:
                self.batch.value = s.batch_size or 0
            labels = ["(pick a weight or bias)", *self.trainer.labels]
            if list(self.parameter.options) != labels:
                self.frames.selected = None
                self.parameter.options = labels
                self.inspection.value = ""
        finally:
            self._syncing = False
        self.frames.refresh_data()
        self._shown_settings = s

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        s = self.trainer.settings
        return f"<Playground: {s.dataset}, {self.trainer.net}, epoch {self.trainer.epoch}>"

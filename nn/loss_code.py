"""Each loss of nn/losses.py written as code, for compiled mode (see `autograd.trace`).

A loss node closes over its targets, so its rules cannot be replayed on expressions as the op
table's are; each function here writes the same formulas as text instead: on floats with the
targets written in, and on a matrix of predictions (one row per sample) with targets as an
array, which is how `fit(..., compile=True)` trains on whole batches.
"""

from __future__ import annotations

from autograd.compiled.code import LossCode, literal

BCE_EPS = 9.999999960041972e-13  # as in nn/losses.py


def _t(x: float) -> str:
    text = literal(x)
    return f"({text})" if text.startswith("-") else text


def _fsum(terms: list[str]) -> str:
    return f"math.fsum([{', '.join(terms)}])"


def squared_error(ts: list[float]) -> LossCode:
    return LossCode(
        lambda os: _fsum([f"0.5 * ({_t(t)} - {o}) ** 2" for o, t in zip(os, ts)]),
        lambda out, os: [f"{o} - {_t(t)}" for o, t in zip(os, ts)],
        lambda Y, T, L, G: [f"{L} = 0.5 * ((({T}) - {Y}) ** 2).sum(axis=1)", f"{G} = {Y} - {T}"],
        ts,
        "sum",
    )


def mse_loss(ts: list[float]) -> LossCode:
    n = len(ts)
    return LossCode(
        lambda os: f"{_fsum([f'({o} - {_t(t)}) ** 2' for o, t in zip(os, ts)])} / {n}",
        lambda out, os: [f"2.0 * ({o} - {_t(t)}) / {n}" for o, t in zip(os, ts)],
        lambda Y, T, L, G: [f"{L} = (({Y} - {T}) ** 2).sum(axis=1) / {n}", f"{G} = 2.0 * ({Y} - {T}) / {n}"],
        ts,
        "mean",
    )


def binary_cross_entropy(ts: list[float]) -> LossCode:
    n = len(ts)

    def term(o: str, t: float) -> str:
        log = f"(max(math.log({o}), -100.0) if {o} > 0 else -100.0)"
        log1m = f"(max(math.log1p(-{o}), -100.0) if -{o} > -1 else -100.0)"
        return f"-{_t(t)} * {log} - (1.0 - {_t(t)}) * {log1m}"

    return LossCode(
        lambda os: f"{_fsum([term(o, t) for o, t in zip(os, ts)])} / {n}",
        lambda out, os: [
            f"({o} - {_t(t)}) / max({o} * (1.0 - {o}), {BCE_EPS!r}) / {n}" for o, t in zip(os, ts)
        ],
        lambda Y, T, L, G: [
            f"{L} = (-{T} * np.maximum(np.log({Y}), -100.0) "
            f"- (1.0 - {T}) * np.maximum(np.log1p(-{Y}), -100.0)).sum(axis=1) / {n}",
            f"{G} = ({Y} - {T}) / np.maximum({Y} * (1.0 - {Y}), {BCE_EPS!r}) / {n}",
        ],
        ts,
        "mean",
    )


def _logit_term(z: str, t: float) -> str:
    return f"max({z}, 0.0) - {z} * {_t(t)} + math.log1p(math.exp(-abs({z})))"


def binary_cross_entropy_with_logits(ts: list[float]) -> LossCode:
    n = len(ts)

    def sigmoid(z: str) -> str:
        return f"(1.0 / (1.0 + math.exp(-{z})) if {z} >= 0 else math.exp({z}) / (1.0 + math.exp({z})))"

    return LossCode(
        lambda os: f"{_fsum([_logit_term(z, t) for z, t in zip(os, ts)])} / {n}",
        lambda out, os: [f"({sigmoid(z)} - {_t(t)}) / {n}" for z, t in zip(os, ts)],
        lambda Y, T, L, G: [
            f"{L} = (np.maximum({Y}, 0.0) - {Y} * {T} + np.log1p(np.exp(-np.abs({Y})))).sum(axis=1) / {n}",
            f"{G} = (np.where({Y} >= 0, 1.0 / (1.0 + np.exp(-np.abs({Y}))), "
            f"np.exp(-np.abs({Y})) / (1.0 + np.exp(-np.abs({Y})))) - {T}) / {n}",
        ],
        ts,
        "mean",
    )


def cross_entropy(sizes: list[int], targets: list[int]) -> LossCode:
    """Rows of logits (sizes[r] each) with a class index per row; the mean over rows."""
    n = len(sizes)
    starts = [sum(sizes[:r]) for r in range(n)]

    def lse(row: list[str]) -> str:
        m = f"max({', '.join(row)})" if len(row) > 1 else row[0]
        return f"({m} + math.log({_fsum([f'math.exp({z} - {m})' for z in row])}))"

    def rows(os: list[str]) -> list[list[str]]:
        return [os[s : s + k] for s, k in zip(starts, sizes)]

    def local(out: str, os: list[str]) -> list[str]:
        texts = []
        for row, t in zip(rows(os), targets):
            total = lse(row)
            texts += [
                f"(math.exp({z} - {total}) - {1.0 if i == t else 0.0}) / {n}" for i, z in enumerate(row)
            ]
        return texts

    def array(Y: str, T: str, L: str, G: str) -> list[str]:
        if len(set(sizes)) != 1:
            raise NotImplementedError("batched cross_entropy needs rows of logits of one size")
        k = sizes[0]
        Z, E, S, t = f"{Y}_z", f"{Y}_e", f"{Y}_s", f"{Y}_t"
        return [
            f"{Z} = {Y}.reshape(len({Y}), {n}, {k})",
            f"{Z} = {Z} - {Z}.max(axis=2, keepdims=True)",
            f"{E} = np.exp({Z})",
            f"{S} = {E}.sum(axis=2, keepdims=True)",
            f"{t} = np.broadcast_to({T}, ({Y}.shape[0], {n})).astype(int)[:, :, None]",
            f"{L} = (np.log({S}) - np.take_along_axis({Z}, {t}, axis=2)).sum(axis=(1, 2)) / {n}",
            f"{G} = (({E} / {S} - (np.arange({k}) == {t})) / {n}).reshape(len({Y}), {n * k})",
        ]

    return LossCode(
        lambda os: f"{_fsum([f'{lse(row)} - {row[t]}' for row, t in zip(rows(os), targets)])} / {n}",
        local,
        array,
        targets,
        "mean",
        classes=True,
    )


def hinge_loss(ys: list[float]) -> LossCode:
    n = len(ys)
    return LossCode(
        lambda os: f"{_fsum([f'max(0.0, 1.0 - {_t(y)} * {s})' for s, y in zip(os, ys)])} / {n}",
        lambda out, os: [f"({_t(-y / n)} if 1.0 - {_t(y)} * {s} > 0.0 else 0.0)" for s, y in zip(os, ys)],
        lambda Y, T, L, G: [
            f"{L} = np.maximum(0.0, 1.0 - {T} * {Y}).sum(axis=1) / {n}",
            f"{G} = np.where(1.0 - {T} * {Y} > 0.0, -{T} / {n}, 0.0)",
        ],
        ys,
        "mean",
    )

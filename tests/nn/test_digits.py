"""Images of the digits 0-3 (scikit-learn's bundled 8x8 digits), as the cost-function primer
classifies them: an MLP 64-16-4 trained with cross-entropy, judged on images it never saw."""

from __future__ import annotations

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import nn


def test_an_mlp_classifies_held_out_digits_0_to_3() -> None:
    digits = load_digits()
    keep = digits.target < 4
    X = digits.data[keep] / 16.0  # pixel intensities 0..16 scaled to [0, 1]
    y = digits.target[keep]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    model = nn.MLP(64, [16, 4], seed=0)
    history = nn.fit(
        model,
        nn.cross_entropy,
        X_train,
        y_train,
        epochs=8,
        batch_size=16,
        seed=0,
        optimizer=nn.Adam(model.parameters(), lr=0.01),
        progress=False,
    )
    result = nn.evaluate(model, nn.cross_entropy, X_test, y_test)
    assert len(X_test) == 180 and sorted(set(y_test.tolist())) == [0, 1, 2, 3]
    assert result["accuracy"] >= 0.95
    assert history.train_metric[-1] >= 0.95 and history.train_loss[-1] < history.train_loss[0] / 5
    predicted = [max(range(4), key=scores.__getitem__) for scores in nn.predict(model, X_test)]
    assert sum(p == t for p, t in zip(predicted, y_test.tolist())) / len(y_test) == result["accuracy"]

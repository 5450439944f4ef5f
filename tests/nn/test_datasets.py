"""nn.datasets: two-class point sets in the plane, reproducible and checked."""

from __future__ import annotations

import numpy as np
import pytest

from nn import datasets


@pytest.mark.parametrize("name", datasets.NAMES)
def test_each_data_set_has_n_points_in_two_balanced_classes(name: str) -> None:
    X, y = datasets.make(name, 101, noise=0.05, seed=3)
    assert X.shape == (101, 2) and X.dtype == float
    assert y.shape == (101,) and set(y.tolist()) == {0, 1}
    assert abs(int(y.sum()) - 50) <= 1
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", datasets.NAMES)
def test_a_seed_gives_the_same_points_and_another_seed_other_points(name: str) -> None:
    a, b, c = (datasets.make(name, 50, 0.1, seed) for seed in (1, 1, 2))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_without_noise_the_circles_lie_on_their_radii() -> None:
    X, y = datasets.circles(40, noise=0.0, seed=0, factor=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(radius[y == 0], 1.0) and np.allclose(radius[y == 1], 0.3)


def test_xor_labels_are_the_sign_of_the_product_without_noise() -> None:
    X, y = datasets.xor(60, noise=0.0, seed=0)
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))


def test_the_spiral_arms_are_point_reflections_of_each_other() -> None:
    X, y = datasets.spiral(40, noise=0.0, seed=0)
    first, second = X[y == 0], X[y == 1]
    assert np.allclose(np.sort(np.hypot(*first.T)), np.sort(np.hypot(*second.T)))
    assert {tuple(np.round(-p, 9)) for p in first} == {tuple(np.round(p, 9)) for p in second}


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="unknown data set 'blobs'"):
        datasets.make("blobs")
    with pytest.raises(ValueError, match="n must be an int of at least 2"):
        datasets.moons(1)
    with pytest.raises(ValueError, match="noise must be a number >= 0"):
        datasets.moons(10, noise=-1)


def test_two_classes_maps_any_two_labels_to_0_and_1_and_refuses_others() -> None:
    X, y = datasets.two_classes([[0, 0], [1, 1], [2, 2]], [-1, 1, -1])
    assert y.tolist() == [0, 1, 0] and X.shape == (3, 2)
    with pytest.raises(ValueError, match="exactly two classes, got 3"):
        datasets.two_classes([[0, 0], [1, 1], [2, 2]], [0, 1, 2])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        datasets.two_classes([[0, 0, 0]], [1])
    with pytest.raises(ValueError, match=r"X\[1\] is not finite"):
        datasets.two_classes([[0, 0], [np.nan, 1]], [0, 1])


def test_split_holds_out_the_fraction_and_keeps_every_point_once() -> None:
    X, y = datasets.moons(100, seed=0)
    (Xt, yt), (Xv, yv) = datasets.split(X, y, 0.2, seed=0)
    assert len(Xv) == 20 and len(Xt) == 80
    together = np.concatenate([Xt, Xv])
    assert sorted(map(tuple, together.tolist())) == sorted(map(tuple, X.tolist()))

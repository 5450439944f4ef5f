import math

from autograd import Value


def test_first_article_functions() -> None:
    x = Value(0.0)
    f = math.e**2 * x.sin()
    f.backward()
    assert math.isclose(x.grad, math.e**2, rel_tol=1e-15)

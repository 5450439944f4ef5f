"""Everything needed to add an operation to chainrule, and nothing else.

    from autograd import Value
    from autograd.extend import Op

    cube = Op("cube", lambda x: x**3, lambda out, x: (3 * x**2,))
    y = cube(Value(2.0))  # a Value, 8.0; y.backward() gives 12.0 to the input
    cube(2.0)  # a float, 8.0

An `Op` is one entry of the table: `forward` on floats, and `local(out, *inputs)` returning the
local derivative for each input, written with arithmetic and chainrule's functions so that it
also runs on Values (then `grad` of any order works through the op). `function(op)` also makes
it callable by name on the command line and as `autograd.NAME`. `record` builds a node from
data already computed (for a fast path, as `nn`'s neurons use it). `LossCode` writes an op
that closes over data (a loss and its targets) as code, for compiled mode; `Code` is the operand
that writes expressions (a rule run on it gives its text) and `literal` writes a number.
"""

from .compiled.code import Code, LossCode, literal
from .ops import FUNCTIONS, Op, function
from .value import apply, record

__all__ = ["FUNCTIONS", "Code", "LossCode", "Op", "apply", "function", "literal", "record"]

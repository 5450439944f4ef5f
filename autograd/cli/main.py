"""The `chainrule` command: draw an expression's graph, print its chain rule, run the demo.

    chainrule graph "x*y + x**2" --at x=3 y=-3 -o graph.svg    (or -o graph.html: the interactive page)
    chainrule explain "x*y + x**2" --at x=3 y=-3 --wrt x --html explain.html
    chainrule demo --out chainrule-demo

Exit status: 0 on success, 2 for a usage error (bad arguments, a refused expression), 1 when
the work itself fails (overflow or a domain error while evaluating, a value or gradient that is
not a finite number, a file that cannot be written, a missing renderer, a graph too costly to
lay out). Errors go to stderr as one message, without a traceback. `-o /dev/stdout` writes the
SVG to standard output; the summary then goes to stderr.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..files import atomic_write, stream_descriptor
from ..graph import topological_order
from ..ops import FUNCTIONS
from ..value import Value
from ..views import drawing as viz
from ..views.explain import explain
from ..views.names import derivative
from ..views.render import render_with_dot
from .parse import ExpressionError, call, parse


def _expressions_help() -> str:
    """The epilog of `graph` and `explain`: what an expression may contain, from the op table."""
    calls = " ".join(call(name) for name in sorted(FUNCTIONS))
    names = textwrap.fill(calls, width=90, initial_indent="  ", subsequent_indent="  ")
    return (
        "an expression is made of numbers, variable names, + - * / % **, unary - and +, parentheses\n"
        "and calls of these functions:\n"
        f"{names}\n"
        'It is parsed, never run as Python. Quote it for the shell; one starting with "-" needs a\n'
        'space in it ("-x * y") or "--" before it.\n'
    )


FORMATS = (".svg", ".png", ".pdf", ".html")  # what -o writes, by the file's suffix (.htm too)


class UsageError(Exception):
    """The arguments are wrong: reported with the command's usage line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]); returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    command: Callable[[argparse.Namespace], int] = args.run
    try:
        with _stopped_by_signals():
            return command(args)
    except UsageError as exc:
        args.parser.print_usage(sys.stderr)
        print(f"{args.parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    except (ArithmeticError, ValueError, OSError, RuntimeError) as exc:
        print(f"{args.parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    except Terminated as exc:
        print(f"{args.parser.prog}: stopped by {exc.name}", file=sys.stderr)
        return 128 + exc.number
    except KeyboardInterrupt as exc:  # a render says how to make it faster
        print(f"{args.parser.prog}: interrupted{f': {exc}' if str(exc) else ''}", file=sys.stderr)
        return 130


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: raised where the program is, so that what it started (a `dot`
    laying out a graph) is stopped on the way out, and partial files are not put in place."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.name = signal.Signals(number).name
        super().__init__(self.name)


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Terminated while the block runs (main thread only)."""
    wanted = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, _frame: Any) -> None:
        raise Terminated(number)

    previous = {number: signal.signal(number, stop) for number in wanted}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="See the chain rule at work: computation graphs, their gradients, and a small "
        "neural network trained by back-propagation.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    graph = commands.add_parser(
        "graph",
        help="draw an expression's computation graph with its values and gradients (SVG or HTML page)",
        description="Evaluate EXPR at the given values, back-propagate, and draw the graph with every "
        "value and gradient d(EXPR)/d(node) as an SVG file, or as an interactive HTML page (pan, zoom, "
        "local derivatives on hover, backward step by step) when FILE ends in .html.",
        epilog=_expressions_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _expression_arguments(graph)
    graph.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE",
        help="the file to write: FILE.svg (or .png, .pdf: these need Graphviz's dot) for the drawing, "
        "FILE.html for the interactive page",
    )
    graph.add_argument(
        "--edge-labels",
        action="store_true",
        help="write each edge's local derivative on it (the HTML page always does)",
    )
    graph.add_argument(
        "--renderer",
        choices=("auto", "dot", "wasm"),
        default="auto",
        help="Graphviz's dot program, its WebAssembly build, or auto: dot if installed (default: auto)",
    )
    graph.add_argument(
        "--max-nodes", type=_positive, default=500, metavar="N", help="refuse bigger graphs (default: 500)"
    )
    graph.set_defaults(run=_graph, parser=graph)

    explain = commands.add_parser(
        "explain",
        help="print the chain rule for d(EXPR)/d(NAME): every path, its factors and their sum",
        description="Print every path from the variable NAME to EXPR in its computation graph: the "
        "local derivative on each edge, their product along the path, and the sum over the paths, "
        "which is the derivative d(EXPR)/d(NAME).",
        epilog=_expressions_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _expression_arguments(explain)
    explain.add_argument("--wrt", required=True, metavar="NAME", help="the variable to differentiate by")
    explain.add_argument(
        "--max-paths",
        type=_positive,
        default=100,
        metavar="N",
        help="list at most N paths, the largest contributions (default: 100)",
    )
    explain.add_argument(
        "--html", type=Path, metavar="FILE.html", help="also write the table as an HTML page"
    )
    explain.set_defaults(run=_explain, parser=explain)

    demo = commands.add_parser(
        "demo",
        help="train a small network on the two-moons data and save pictures of it",
        description="Train a multi-layer perceptron on 100 points of scikit-learn's two moons, print "
        "its accuracy, and write loss.png (the loss per epoch), boundary.png (the decision "
        "boundary with the points) and graph.svg (one sample's computation graph through the "
        'trained network). Needs the examples extra: pip install "chainrule[examples]".',
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("chainrule-demo"),
        metavar="DIR",
        help="folder for the files, created if missing (default: ./chainrule-demo)",
    )
    demo.add_argument("--epochs", type=_positive, default=100, metavar="N", help="epochs (default: 100)")
    demo.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed for data and weights (default: 0)"
    )
    demo.set_defaults(run=_demo, parser=demo)
    return parser


def _expression_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", metavar="EXPR", help='the expression, e.g. "x*y + x**2"')
    parser.add_argument(
        "--at",
        nargs="+",
        action="extend",
        type=_assignments,
        default=[],
        metavar="NAME=VALUE",
        help="the value of each variable, e.g. --at x=3 y=-3 (or --at x=3,y=-3)",
    )


def _assignments(text: str) -> list[tuple[str, float]]:
    """NAME=VALUE, or several joined by commas (x=3,y=-3)."""
    parts = text.split(",")
    if len(parts) > 1 and all("=" in part for part in parts):
        return [_assignment(part) for part in parts]
    if len(parts) > 1:  # x=3,5: a decimal comma?
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=VALUE: separate assignments with spaces or commas (x=3 y=-3), and "
            "write decimals with a point (x=3.5)"
        )
    return [_assignment(text)]


def _assignment(text: str) -> tuple[str, float]:
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE (e.g. x=3)")
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: {number!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r}: the value must be a finite number")
    return name, value


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return n


def _build(args: argparse.Namespace) -> tuple[Value, dict[str, Value], str]:
    """Parse and evaluate the expression of `args`; the output, the variables, and a header."""
    try:
        expr = parse(args.expression)
    except ExpressionError as exc:
        raise UsageError(str(exc)) from None
    values: dict[str, float] = {}
    for name, value in (pair for group in args.at for pair in group):
        if name in values:
            raise UsageError(f"--at gives {name} twice ({name}={values[name]:g} and {name}={value:g})")
        if name not in expr.variables:
            known = ", ".join(expr.variables) or "none"
            raise UsageError(f"--at {name}=...: {name} is not in the expression (its variables: {known})")
        values[name] = value
    missing = expr.missing(values)
    if missing:
        example = " ".join(f"{name}=VALUE" for name in missing)
        raise UsageError(f"no value for {', '.join(missing)}: give it with --at {example}")
    output, leaves = expr.evaluate(values)
    if not output.label:
        output.label = "f"
    names = ", ".join(expr.variables)
    point = ", ".join(_number(values[name]) for name in expr.variables)
    if not math.isfinite(output.data):
        raise ArithmeticError(f"f({point}) = {output.data}: {_overflow(output)}")
    header = f"f({names}) = {args.expression.strip()}\nf({point}) = {_number(output.data)}"
    return output, leaves, header


def _overflow(output: Value) -> str:
    """Where the value first stopped being a finite number (its inputs were finite)."""
    first = next(v for v in topological_order(output) if not math.isfinite(v.data))
    name = _name(first) if first is not output or first.label != "f" else f"the final {first.op}"
    return f"{name} overflows the 64-bit float range (about 1.8e308); try smaller values"


def _check_gradient(name: str, gradient: float, output: Value) -> None:
    """ArithmeticError when d(output)/d(name) is not a finite number, naming an infinite slope if one is."""
    if math.isfinite(gradient):
        return
    for node in topological_order(output):
        for parent, local in zip(node.parents, node.local_grads):
            if not math.isfinite(float(local)):
                where = f"{derivative(_name(node), _name(parent))} = {float(local)}"
                raise ArithmeticError(f"df/d{name} = {gradient}: not a finite number, because {where}")
    raise ArithmeticError(
        f"df/d{name} = {gradient}: the product of the local derivatives overflows the 64-bit float "
        "range (about 1.8e308); try smaller values"
    )


def _name(node: Value) -> str:
    """The node's label (the text of a short sub-expression), else its op, or its value for a number."""
    return node.label or (f"a {node.op}" if node.parents else _number(node.data))


def _graph(args: argparse.Namespace) -> int:
    suffix = args.output.suffix.lower()
    # a stream, a device or a FIFO has no suffix: it gets the SVG
    special = stream_descriptor(args.output) is not None or (
        args.output.exists() and not args.output.is_file()
    )
    if suffix not in (*FORMATS, ".htm") and not (special and not suffix):
        raise UsageError(
            f"-o {args.output}: {'a file name without a suffix' if not suffix else repr(suffix)} is not "
            f"a format written here; end FILE in one of {', '.join(FORMATS)} "
            "(.png and .pdf need Graphviz's dot)"
        )
    output, leaves, header = _build(args)
    output.backward()
    for name, leaf in leaves.items():
        _check_gradient(name, leaf.grad, output)
    options = {"renderer": args.renderer, "max_nodes": args.max_nodes}
    if suffix in (".html", ".htm"):
        path = viz.save_html(output, args.output, **options)
    elif suffix in (".png", ".pdf"):
        drawing = viz.draw_graph(output, edge_labels=args.edge_labels, **options)
        picture = render_with_dot(drawing.source, suffix[1:])
        with atomic_write(args.output, binary=True) as file:
            file.write(picture)
        path = args.output
    else:
        path = viz.save_svg(output, args.output, edge_labels=args.edge_labels, **options)
    summary = sys.stderr if stream_descriptor(args.output) == 1 else sys.stdout  # keep the SVG whole
    print(header, file=summary)
    for name, leaf in leaves.items():
        print(f"df/d{name} = {_number(leaf.grad)}", file=summary)
    print(f"wrote {path}", file=summary)
    return 0


def _explain(args: argparse.Namespace) -> int:
    output, leaves, header = _build(args)
    if args.wrt not in leaves:
        known = ", ".join(leaves) or "none"
        raise UsageError(f"--wrt {args.wrt}: not a variable of the expression (its variables: {known})")
    table = explain(output, leaves[args.wrt], max_paths=args.max_paths)
    _check_gradient(args.wrt, table.gradient, output)
    print(header)
    print()
    print(table)
    if args.html is not None:
        print(f"wrote {table.save_html(args.html)}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from nn import demo  # the one command that needs nn: the engine itself never imports it

    demo.run(args.out, epochs=args.epochs, seed=args.seed)
    return 0


def _number(x: float) -> str:
    return f"{x:.10g}"

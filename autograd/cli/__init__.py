"""The `chainrule` command line.

    main.py    the commands (`graph`, `explain`, `demo`), their arguments, messages and exit codes
    parse.py   an expression parsed with `ast` against the op table's whitelist, never `eval`

May import the engine and `views`; imports `nn` only inside `chainrule demo`.
"""

from .main import main

__all__ = ["main"]

"""`autograd.viz`, the import path users know, is the module `autograd/views/drawing.py` itself.

Replacing this module in `sys.modules` (Python then returns that entry to the importer) makes
`autograd.viz` and `autograd.views.drawing` one module object, not a copy of its names.
"""

import sys

from .views import drawing
from .views.drawing import *  # noqa: F403 (the public names, for type checkers and editors)

sys.modules[__name__] = drawing

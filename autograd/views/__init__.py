"""Views of a computation graph: drawings, the interactive page, and `explain`'s chain-rule table.

    drawing.py   `draw_graph`, `save_svg`, `save_html` (the module users import as `autograd.viz`)
    page.py      the self-contained interactive page, with its script and style in page_assets/
    explain.py   every path from an input to the output, its factors and their sum
    names.py     one name per node (`add#1`), shared by the drawing, the page and explain
    neurons.py   folding each neuron's nodes into one box (`collapse="neuron"`)
    layout.py    how long a layout would take, to bound or refuse it before it starts
    render.py    DOT to SVG with Graphviz's `dot`, or else with the WebAssembly build (wasm.py)
    inline.py    fitting an SVG into a notebook column

May import the engine and graphviz; never `compiled` or `nn`.
"""

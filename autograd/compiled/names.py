"""The one namer of generated source: every identifier a program uses is chosen here.

Labels are user text: any string. Generated code must never let one of them shadow another
variable, a builtin the code calls (`abs`, `max`, `sum`), a module (`math`, `np`), a name the
code makes up itself (`t3`, `g_t3`, `L1`, `Y_loss`), or an argument. So every name goes through
one `Namer`, which knows everything in scope and gives out each identifier once:

- a label that is a fresh identifier stays as it is (`w5`, `net_y1`);
- any other label is made into one: normalised as Python normalises identifiers (NFKC, so "ﬁ"
  is "fi"), characters that cannot be in a name become `_`, and a taken name gets a suffix
  (`w5_2`); `display(name)` says which label a changed name stands for, for a comment;
- names the code makes up (`t1`, a gradient `g_w5`, a layer `L1`) come from the same set.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

# Names generated code reads from its module or from Python, so no variable may take them.
MODULES = ("math", "np", "exact_sum", "product_into")
RESERVED = frozenset(
    [*keyword.kwlist, *keyword.softkwlist, *dir(builtins), *MODULES, "forward", "value_and_grad"]
)
_NOT_IN_NAME = re.compile(r"[^0-9A-Za-z_]")  # an ASCII character a name cannot hold
_UNDERSCORES = re.compile(r"_+")
LONGEST = 40  # characters of a label kept in a name


def normalise(text: str) -> str:
    """`text` as Python reads an identifier: NFKC (so "ℌ" and "H" are one name)."""
    return unicodedata.normalize("NFKC", text)


def identifier(label: str) -> str:
    """The readable identifier closest to `label` ('' if nothing of it can be kept): NFKC, each
    character that cannot be in a name replaced by `_`, `v_` before a leading digit."""
    if label.isascii():  # the common case (a parameter's label, "L1.n3.w[12]"): one substitution
        text = _UNDERSCORES.sub("_", _NOT_IN_NAME.sub("_", label)[:LONGEST]).strip("_")
        if text and not text.isidentifier():
            text = "v_" + text
        return text  # ASCII letters, digits and _, not led by a digit: already NFKC
    text = normalise(label)
    if not text.isidentifier():
        text = "".join(c if ("a" + c).isidentifier() else "_" for c in text)
    text = _UNDERSCORES.sub("_", text[:LONGEST]).strip("_")
    if text and not text.isidentifier():
        text = "v_" + text
    if not text.isidentifier() or normalise(text) != text:  # some odd character: ASCII only
        text = re.sub(r"_+", "_", re.sub(r"[^0-9A-Za-z_]", "_", text)).strip("_")
        text = "v_" + text if text[:1].isdigit() else text
    return text


class Namer:
    """Hands out identifiers, each one once; `copy()` to name what one program adds.

    `take(label)` names a node or an argument, `fresh(base)` a made-up temporary (`base1`,
    `base2`, ...), `derived(prefix, name)` a name tied to another (its gradient `g_name`), the
    same one each time it is asked for.
    """

    def __init__(self) -> None:
        self.used: set[str] = set(RESERVED)
        self.counts: dict[str, int] = {}
        self.derivations: dict[tuple[str, str], str] = {}
        self.labels: dict[str, str] = {}  # a name -> the label it stands for, where they differ

    def copy(self) -> Namer:
        other = Namer.__new__(Namer)
        other.used = set(self.used)
        other.counts = dict(self.counts)
        other.derivations = dict(self.derivations)
        other.labels = dict(self.labels)
        return other

    def _claim(self, base: str) -> str:
        """`base`, or `base_2`, `base_3`, ... : the first that is free."""
        name, k = base, 1
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    def take(self, label: str, fallback: str = "t") -> str:
        """A free name for something labelled `label`; for no usable label, `fallback` numbered."""
        if label.isidentifier() and label.isascii() and label not in self.used:
            self.used.add(label)  # the common case: a fresh ASCII identifier, taken as it is
            return label
        base = identifier(label) if label else ""
        name = self._claim(base) if base else self.fresh(fallback)
        if label and name != label:
            self.labels[name] = label
        return name

    def fresh(self, base: str) -> str:
        """`base` with the first number that makes it free: `t1`, `t2`, ..."""
        k = self.counts.get(base, 0)
        while True:
            k += 1
            name = f"{base}{k}"
            if name not in self.used:
                self.counts[base] = k
                self.used.add(name)
                return name

    def derived(self, prefix: str, name: str) -> str:
        """The name tied to `name` by `prefix` (`g_w5`, or `g_w5_2` if a label took `g_w5`)."""
        key = (prefix, name)
        found = self.derivations.get(key)
        if found is None:
            found = self.derivations[key] = self._claim(prefix + name)
        return found

    def display(self, name: str) -> str | None:
        """The label `name` stands for, if it is not the name itself."""
        return self.labels.get(name)

    def note(self, name: str) -> str | None:
        """`x_2 is labelled 'x'`, the comment for a name that had to differ from its label; else None."""
        label = self.labels.get(name)
        if label is None:
            return None
        return f"{name} is labelled {label[:60]!r}{'...' if len(label) > 60 else ''}"

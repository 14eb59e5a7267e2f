"""What the linter reads in a tag's expression without running it: names and cost.

Jinja's own ``meta.find_undeclared_variables`` compiles the template with its optimiser,
and computes every printed constant even without it: ``{{ 9**(9**9) }}`` never finishes
and ``{{ 10**5000 }}`` raises inside Python's integer printing. :func:`undeclared_names`
walks the same code generator with the optimiser off and constant output refused, so
linting never executes a template's arithmetic or filters.

:func:`costly` finds, in a parsed tag, what would make a render run away: a power whose
exponent is not a small constant, a number above :data:`MAX_ARGUMENT` given to a filter
or a call (``x|center(10**9)``, ``'%*d'|format(10**9, 1)``, ``name.ljust(10**9)``), a
string repeated into megabytes. Small constant arithmetic is evaluated here with bounds
on its size, never by Python's unbounded operators. The renderer's hard limits
(:mod:`~contractctl.drafting.sandbox`) stay the last line; this tells the author at
``template add`` which tag it is.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import nodes

#: The largest exponent a template may use (the renderer allows the same).
MAX_EXPONENT = 64
#: The largest number a filter or call may be given (a width, a count, a length).
MAX_ARGUMENT = 10_000
#: The longest string or list a constant repetition may build.
MAX_REPEAT = 100_000
#: Constants larger than this many bits are not evaluated further.
_MAX_BITS = 256


def undeclared_names(tree: nodes.Template) -> set[str]:
    """The names ``tree`` looks up from the context, found without constant folding."""
    codegen = _tracker_class()(tree.environment)
    codegen.visit(tree)
    return set(codegen.undeclared_identifiers)


@functools.cache
def _tracker_class() -> type:
    from jinja2.compiler import CodeGenerator
    from jinja2.meta import TrackingCodeGenerator

    class Tracker(TrackingCodeGenerator):
        """Jinja's introspection code generator, with the optimiser switched off."""

        def __init__(self, environment: Any) -> None:
            CodeGenerator.__init__(
                self, environment, "<introspection>", "<introspection>", optimized=False
            )
            self.undeclared_identifiers: set[str] = set()

        def _output_child_to_const(self, node: Any, frame: Any, finalize: Any) -> str:
            raise Impossible  # Jinja would compute a printed constant here, even unoptimised

        def visit_Const(self, node: Any, frame: Any) -> None:
            """Nothing is written: no repr of a constant (a huge int's repr raises)."""

    from jinja2.nodes import Impossible

    return Tracker


def costly(tree: nodes.Node) -> list[str]:
    """Why rendering ``tree`` could exhaust memory or CPU: one line per reason."""
    from jinja2 import nodes

    reasons: list[str] = []
    for power in tree.find_all(nodes.Pow):
        exponent = constant(power.right)
        if not isinstance(exponent, (int, float)) or isinstance(exponent, bool):
            reasons.append(
                "** with an exponent that is not a constant number: its size cannot be bounded"
            )
        elif abs(exponent) > MAX_EXPONENT:
            reasons.append(f"** with exponent {_shown(exponent)} (at most {MAX_EXPONENT})")
    calls: list[nodes.Filter | nodes.Call] = [*tree.find_all(nodes.Filter)]
    calls += tree.find_all(nodes.Call)
    for call in calls:
        arguments = [*call.args, *(k.value for k in call.kwargs)]
        name = _callee(call)
        for argument in arguments:
            value = constant(argument)
            if _number(value) and abs(value) > MAX_ARGUMENT:
                reasons.append(f"{name} is given {_shown(value)} (at most {MAX_ARGUMENT:,})")
    for product in tree.find_all(nodes.Mul):
        left, right = constant(product.left), constant(product.right)
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str) and _number(count) and len(seq) * count > MAX_REPEAT:
                reasons.append(f"a string repeated {_shown(count)} times")
    return list(dict.fromkeys(reasons))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _shown(value: Any) -> str:
    """A number as a reader can take it in: ``10**9``-sized ones by their digits."""
    if isinstance(value, int) and value.bit_length() > 40:
        return f"a {len(str(abs(value)))}-digit number"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _callee(call: Any) -> str:
    from jinja2 import nodes

    if isinstance(call, nodes.Filter):
        return f"|{call.name}"
    target = call.node
    if isinstance(target, nodes.Name):
        return f"{target.name}()"
    if isinstance(target, nodes.Getattr):
        return f".{target.attr}()"
    return "a call"


_UNEVALUATED = object()


def constant(node: Any) -> Any:
    """The value of a constant expression, evaluated with bounded sizes, or None.

    ``10**9`` is 1000000000; ``9**(9**9)`` is None (the exponent is too large to
    compute), as is anything that reads a variable.
    """
    value = _evaluate(node)
    return None if value is _UNEVALUATED else value


def _evaluate(node: Any) -> Any:
    from jinja2 import nodes

    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, (nodes.Neg, nodes.Pos)):
        value = _evaluate(node.node)
        if not _number(value):
            return _UNEVALUATED
        return -value if isinstance(node, nodes.Neg) else value
    if not isinstance(node, (nodes.Add, nodes.Sub, nodes.Mul, nodes.Pow, nodes.FloorDiv)):
        return _UNEVALUATED
    left, right = _evaluate(node.left), _evaluate(node.right)
    if not (_number(left) and _number(right)):
        if isinstance(node, nodes.Mul) and {type(left), type(right)} == {str, int}:
            return left if isinstance(left, str) else right  # the string; costly() checks
        return _UNEVALUATED
    if _bits(left) > _MAX_BITS or _bits(right) > _MAX_BITS:
        return _UNEVALUATED
    if isinstance(node, nodes.Pow):
        if abs(right) > MAX_EXPONENT or (isinstance(left, int) and left.bit_length() > 64):
            return _UNEVALUATED
        try:
            return left**right
        except (OverflowError, ZeroDivisionError):
            return _UNEVALUATED
    try:
        if isinstance(node, nodes.Add):
            return left + right
        if isinstance(node, nodes.Sub):
            return left - right
        if isinstance(node, nodes.Mul):
            return left * right
        return left // right
    except (OverflowError, ZeroDivisionError):
        return _UNEVALUATED

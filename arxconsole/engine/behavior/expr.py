"""Safe profile expressions: parse once to an AST, compile to closures, evaluate fast.

No Python ``eval``/``exec``/``compile`` is involved anywhere: the tokenizer only knows
numbers, strings, names and a fixed operator set; the parser builds a bounded tree; the
compiler turns each node into a small closure.  Names resolve only against the profile's
declared names, calls only against ``FUNCTIONS`` below.  Values are numbers, booleans
and strings; arithmetic on booleans or strings is refused (a type error with a column).

    >>> e = compile_expression("voltage * current * 0.95", {"voltage", "current"})
    >>> e.evaluate({"voltage": 208, "current": 100})
    19760.0
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

from .parser import Node, parse
from .tokens import ExprError

Env = Mapping[str, Any]
Evaluator = Callable[[Env], Any]

MAX_POWER_RESULT = 1e300        # a result larger than this is refused, not computed
MAX_INT_EXPONENT = 64           # integer ** beyond this goes through float (bounded cost)


def _num(v: Any, what: str, column: int) -> float | int:
    # bool is an int subclass in Python; refusing it here keeps 'powered * 10' an error.
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ExprError(f"{what} needs numbers, got {_type_name(v)}", column)
    return v


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return f"boolean {str(v).lower()}"
    if isinstance(v, str):
        return f"text '{v}'"
    if v is None:
        return "no value"
    return type(v).__name__


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def _bool(v: Any, what: str, column: int) -> bool:
    if not isinstance(v, bool):
        raise ExprError(f"{what} needs true/false, got {_type_name(v)}", column)
    return v


def safe_power(a: Any, b: Any, column: int = 0) -> float | int:
    a = _num(a, "'**'", column)
    b = _num(b, "'**'", column)
    try:
        if isinstance(a, int) and isinstance(b, int) and 0 <= b <= MAX_INT_EXPONENT and abs(a) < 2**32:
            result = a ** b
        else:
            result = float(a) ** float(b)
    except OverflowError:
        raise ExprError("power result is too large", column) from None
    except ZeroDivisionError:
        raise ExprError("zero raised to a negative power", column) from None
    if isinstance(result, complex):
        raise ExprError("power of a negative number to a fractional exponent", column)
    if abs(result) > MAX_POWER_RESULT:
        raise ExprError("power result is too large", column)
    return result


def _clamp(x, lo, hi):
    return max(lo, min(hi, x))


def _log(x, base=None):
    return math.log(x) if base is None else math.log(x, base)


# name -> (function, min args, max args); every argument must be a number.
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "min": (min, 1, 64),
    "max": (max, 1, 64),
    "abs": (abs, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "round": (round, 1, 2),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "clamp": (_clamp, 3, 3),
    "log": (_log, 1, 2),
    "log10": (math.log10, 1, 1),
    "exp": (math.exp, 1, 1),
    "pow": (None, 2, 2),          # safe_power, wired in _compile
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
}
RESERVED_NAMES = frozenset(FUNCTIONS) | {"if", "and", "or", "not", "else", "true", "false"}

_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Expression:
    source: str
    tree: Node
    names: frozenset[str]                          # every name the expression reads
    literal_comparisons: tuple[tuple[str, str, int], ...]   # (name, 'text', column) from  name == 'text'
    _fn: Evaluator

    def evaluate(self, env: Env) -> Any:
        """Evaluate against ``env`` (name -> value); raises ``ExprError`` on bad values."""
        return self._fn(env)


def compile_expression(source: str, declared: Iterable[str] | None = None) -> Expression:
    """Parse and compile ``source``.

    With ``declared``, every name must be in it, else ``ExprError("unknown name 'x'",
    column)``.  Unknown functions and wrong argument counts are always errors.
    """
    tree = parse(source)
    known = None if declared is None else set(declared)
    names: set[str] = set()
    comparisons: list[tuple[str, str, int]] = []
    fn = _compile(tree, known, names, comparisons)
    return Expression(source, tree, frozenset(names), tuple(comparisons), fn)


def _compile(node: Node, known: set[str] | None, names: set[str], cmps: list) -> Evaluator:
    k, col = node.kind, node.column
    if k in ("num", "str", "bool"):
        value = node.value
        return lambda env: value
    if k == "name":
        name = node.value
        if name in FUNCTIONS:
            raise ExprError(f"'{name}' is a function; call it as {name}(...)", col)
        if known is not None and name not in known:
            raise ExprError(f"unknown name '{name}'", col)
        names.add(name)

        def load(env, name=name, col=col):
            try:
                return env[name]
            except KeyError:
                raise ExprError(f"no value for '{name}'", col) from None
        return load
    sub = [_compile(a, known, names, cmps) for a in node.args]
    if k == "neg":
        (a,) = sub
        return lambda env: -_num(a(env), "'-'", col)
    if k == "pos":
        (a,) = sub
        return lambda env: _num(a(env), "'+'", col)
    if k == "not":
        (a,) = sub
        return lambda env: not _bool(a(env), "'not'", col)
    if k == "and":
        a, b = sub
        return lambda env: _bool(a(env), "'and'", col) and _bool(b(env), "'and'", col)
    if k == "or":
        a, b = sub
        return lambda env: _bool(a(env), "'or'", col) or _bool(b(env), "'or'", col)
    if k == "cond":
        test, yes, no = sub
        return lambda env: yes(env) if _bool(test(env), "'if'", col) else no(env)
    if k == "bin":
        return _compile_binary(node.value, sub[0], sub[1], col)
    if k == "cmp":
        _note_literal_comparisons(node, cmps)
        return _compile_compare(node.ops, sub, col)
    if k == "call":
        return _compile_call(node, sub)
    raise ExprError(f"unsupported expression element '{k}'", col)  # pragma: no cover


def _compile_binary(op: str, a: Evaluator, b: Evaluator, col: int) -> Evaluator:
    what = f"'{op}'"
    if op in _ARITH:
        f = _ARITH[op]
        return lambda env: f(_num(a(env), what, col), _num(b(env), what, col))
    if op == "**":
        return lambda env: safe_power(a(env), b(env), col)

    def divide(env):
        x, y = _num(a(env), what, col), _num(b(env), what, col)
        if y == 0:
            raise ExprError("division by zero" if op == "/" else "modulo by zero", col)
        return x / y if op == "/" else x % y
    return divide


def _compile_compare(ops: list[str], sub: list[Evaluator], col: int) -> Evaluator:
    fns = [_CMP[o] for o in ops]

    def compare(env):
        left = sub[0](env)
        for f, op, right_fn in zip(fns, ops, sub[1:]):
            right = right_fn(env)
            if op not in ("==", "!="):
                _num(left, f"'{op}'", col)
                _num(right, f"'{op}'", col)
            elif _kind(left) != _kind(right):
                # Python would say True == 1; a profile comparing a flag with a number is a bug.
                raise ExprError(f"'{op}' compares {_type_name(left)} with {_type_name(right)}", col)
            if not f(left, right):
                return False
            left = right
        return True
    return compare


def _note_literal_comparisons(node: Node, cmps: list) -> None:
    for (a, b), op in zip(zip(node.args, node.args[1:]), node.ops):
        if op not in ("==", "!="):
            continue
        for x, y in ((a, b), (b, a)):
            if x.kind == "name" and y.kind == "str":
                cmps.append((x.value, y.value, y.column))


def _compile_call(node: Node, sub: list[Evaluator]) -> Evaluator:
    name, col, n = node.value, node.column, len(sub)
    if name == "if":
        if n != 3:
            raise ExprError(f"if() takes 3 arguments (condition, then, else), got {n}", col)
        test, yes, no = sub
        return lambda env: yes(env) if _bool(test(env), "if()", col) else no(env)
    if name not in FUNCTIONS:
        raise ExprError(f"unknown function '{name}'", col)
    fn, lo, hi = FUNCTIONS[name]
    if not lo <= n <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise ExprError(f"{name}() takes {want} argument{'s' if hi > 1 else ''}, got {n}", col)
    what = f"{name}()"
    if name == "pow":
        a, b = sub
        return lambda env: safe_power(a(env), b(env), col)

    def call(env):
        args = [_num(f(env), what, col) for f in sub]
        try:
            return fn(*args)
        except (ValueError, OverflowError, TypeError) as exc:
            raise ExprError(f"{what}: {_math_reason(exc)}", col) from None
    return call


def _math_reason(exc: Exception) -> str:
    text = str(exc)
    if "domain" in text or "expected a positive input" in text:
        return "argument outside the function's domain"
    if isinstance(exc, OverflowError) or "range" in text:
        return "result is too large"
    return text

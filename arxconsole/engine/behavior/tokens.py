"""Tokenizer for profile expressions.

Only numbers, strings, names, a fixed set of operators and parentheses/commas exist;
anything else (``.``, ``[``, ``^``, ``;``, backslashes, ...) is refused here with its
column, so attribute access and subscripts cannot even be written.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UserError

MAX_EXPRESSION_LENGTH = 2000   # characters; profiles hold formulas, not programs

KEYWORDS = frozenset({"and", "or", "not", "if", "else", "true", "false"})
# Python keywords that must never mean anything here; named in the error for clarity.
FORBIDDEN_WORDS = frozenset({
    "lambda", "import", "def", "class", "for", "while", "in", "is", "yield", "await",
    "async", "del", "global", "nonlocal", "exec", "eval", "with", "return", "from",
    "assert", "raise", "try", "except", "finally", "pass", "break", "continue", "then",
})
OPERATORS = ("**", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ",")


class ExprError(UserError):
    """A problem in one expression: ``message`` plus the 1-based ``column`` it is at."""

    def __init__(self, message: str, column: int | None = None):
        self.reason = message
        self.column = column
        super().__init__(f"{message} at column {column}" if column else message)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str      # "num", "str", "name", "op", "end"
    text: str
    column: int    # 1-based
    value: object = None


def tokenize(source: str) -> list[Token]:
    if not isinstance(source, str):
        raise ExprError(f"expression must be text, got {type(source).__name__}")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExprError(f"expression is {len(source)} characters long (limit {MAX_EXPRESSION_LENGTH})")
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        col = i + 1
        if ch in " \t\r\n":
            i += 1
        elif ch.isdigit() or (ch == "." and i + 1 < n and source[i + 1].isdigit()):
            j = i
            while j < n and source[j].isdigit():
                j += 1
            is_float = False
            if j < n and source[j] == ".":
                is_float = True
                j += 1
                while j < n and source[j].isdigit():
                    j += 1
            if j < n and source[j] in "eE":
                k = j + 1
                if k < n and source[k] in "+-":
                    k += 1
                if k < n and source[k].isdigit():
                    is_float = True
                    j = k
                    while j < n and source[j].isdigit():
                        j += 1
            text = source[i:j]
            if j < n and (source[j].isalpha() or source[j] == "_"):
                raise ExprError(f"malformed number '{text}{source[j]}'", col)
            if is_float:
                value: object = float(text)
            else:
                if len(text) > 18:   # keeps integers fast and bounded
                    raise ExprError(f"number '{text}' is too long", col)
                value = int(text)
            tokens.append(Token("num", text, col, value))
            i = j
        elif ch.isalpha() or ch == "_":
            j = i
            while j < n and (source[j].isalnum() or source[j] == "_"):
                j += 1
            word = source[i:j]
            if word in FORBIDDEN_WORDS:
                raise ExprError(f"'{word}' is not allowed in an expression", col)
            tokens.append(Token("name", word, col, word))
            i = j
        elif ch in "'\"":
            j = source.find(ch, i + 1)
            if j < 0:
                raise ExprError("unterminated string", col)
            text = source[i + 1:j]
            if "\\" in text:
                raise ExprError("backslashes are not allowed in strings", col)
            tokens.append(Token("str", source[i:j + 1], col, text))
            i = j + 1
        else:
            for op in OPERATORS:
                if source.startswith(op, i):
                    tokens.append(Token("op", op, col))
                    i += len(op)
                    break
            else:
                raise ExprError(_bad_char_message(ch), col)
    tokens.append(Token("end", "", n + 1))
    return tokens


def _bad_char_message(ch: str) -> str:
    if ch == "^":
        return "'^' is not an operator here; write powers with '**'"
    if ch == ".":
        return "'.' (attribute access) is not allowed"
    if ch in "[]":
        return "subscripts ('[' ']') are not allowed"
    if ch == "=":
        return "'=' is not an operator; compare with '=='"
    if ch in "&|!":
        return f"'{ch}' is not an operator; use 'and', 'or', 'not' (or '!=')"
    return f"unexpected character {ch!r}"


def rewrite_caret_power(source: str) -> tuple[str, int]:
    """Rewrite ``^`` (used as power in Arxos profiles) to ``**`` outside string literals.

    Returns the new text and how many were rewritten; only the Arxos importer calls
    this, and it reports each rewrite as a finding."""
    out: list[str] = []
    count = 0
    quote = ""
    for ch in source:
        if quote:
            if ch == quote:
                quote = ""
            out.append(ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "^":
            out.append("**")
            count += 1
        else:
            out.append(ch)
    return "".join(out), count

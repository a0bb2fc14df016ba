"""Recursive-descent parser for profile expressions: tokens -> a small AST.

Grammar, loosest binding first::

    expr     := or_expr [ 'if' or_expr 'else' expr ]        (Python-style conditional)
    or_expr  := and_expr ( 'or' and_expr )*
    and_expr := not_expr ( 'and' not_expr )*
    not_expr := 'not' not_expr | compare
    compare  := sum ( ('=='|'!='|'<'|'<='|'>'|'>=') sum )*  (chains: a < b < c)
    sum      := term ( ('+'|'-') term )*
    term     := unary ( ('*'|'/'|'%') unary )*
    unary    := ('-'|'+') unary | power
    power    := atom [ '**' unary ]                         (right-associative; -2**2 == -4)
    atom     := number | string | true | false | name | name '(' args ')' | '(' expr ')'

The tree depth is bounded (``MAX_DEPTH``) so neither parsing nor evaluation can
exhaust the Python stack, whether the depth comes from parentheses or from a long
chain such as ``1+1+1+...``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .tokens import ExprError, Token, tokenize

MAX_DEPTH = 64
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


@dataclass(slots=True)
class Node:
    kind: str                 # num str bool name neg pos bin cmp and or not cond call
    column: int
    value: object = None      # literal value, name, operator, function name
    args: list["Node"] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)   # cmp: one operator between each pair
    depth: int = 1


def _node(kind: str, column: int, value: object = None, args: list[Node] | None = None,
          ops: list[str] | None = None) -> Node:
    args = args or []
    depth = 1 + max((a.depth for a in args), default=0)
    if depth > MAX_DEPTH:
        raise ExprError(f"expression is nested too deeply (limit {MAX_DEPTH} levels)", column)
    return Node(kind, column, value, args, ops or [], depth)


class _Parser:
    def __init__(self, source: str):
        self.tokens = tokenize(source)
        self.pos = 0
        self.nesting = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        t = self.tokens[self.pos]
        self.pos += 1
        return t

    def at_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def at_word(self, word: str) -> bool:
        return self.tok.kind == "name" and self.tok.text == word

    def expect_op(self, op: str, what: str) -> Token:
        if not self.at_op(op):
            raise ExprError(f"expected '{op}' {what}, found {_describe(self.tok)}", self.tok.column)
        return self.advance()

    # Each recursive entry counts nesting: guards the parser's own stack even before
    # a node (and its depth) exists, e.g. for '((((((...'.
    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise ExprError(f"expression is nested too deeply (limit {MAX_DEPTH} levels)", self.tok.column)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExprError("empty expression", 1)
        node = self.expr()
        if self.tok.kind != "end":
            raise ExprError(f"unexpected {_describe(self.tok)}", self.tok.column)
        return node

    def expr(self) -> Node:
        self.enter()
        try:
            body = self.or_expr()
            if self.at_word("if"):
                col = self.advance().column
                test = self.or_expr()
                if not self.at_word("else"):
                    raise ExprError(f"expected 'else' in conditional, found {_describe(self.tok)}", self.tok.column)
                self.advance()
                other = self.expr()
                return _node("cond", col, None, [test, body, other])
            return body
        finally:
            self.nesting -= 1

    def or_expr(self) -> Node:
        left = self.and_expr()
        while self.at_word("or"):
            col = self.advance().column
            left = _node("or", col, None, [left, self.and_expr()])
        return left

    def and_expr(self) -> Node:
        left = self.not_expr()
        while self.at_word("and"):
            col = self.advance().column
            left = _node("and", col, None, [left, self.not_expr()])
        return left

    def not_expr(self) -> Node:
        if self.at_word("not"):
            col = self.advance().column
            self.enter()
            try:
                return _node("not", col, None, [self.not_expr()])
            finally:
                self.nesting -= 1
        return self.compare()

    def compare(self) -> Node:
        first = self.sum()
        if not self.at_op(*COMPARISONS):
            return first
        col = self.tok.column
        operands, ops = [first], []
        while self.at_op(*COMPARISONS):
            ops.append(self.advance().text)
            operands.append(self.sum())
        return _node("cmp", col, None, operands, ops)

    def sum(self) -> Node:
        left = self.term()
        while self.at_op("+", "-"):
            t = self.advance()
            left = _node("bin", t.column, t.text, [left, self.term()])
        return left

    def term(self) -> Node:
        left = self.unary()
        while self.at_op("*", "/", "%"):
            t = self.advance()
            left = _node("bin", t.column, t.text, [left, self.unary()])
        return left

    def unary(self) -> Node:
        if self.at_op("-", "+"):
            t = self.advance()
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.nesting -= 1
            return _node("neg" if t.text == "-" else "pos", t.column, None, [operand])
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.at_op("**"):
            t = self.advance()
            self.enter()
            try:
                exponent = self.unary()
            finally:
                self.nesting -= 1
            return _node("bin", t.column, "**", [base, exponent])
        return base

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.advance()
            return _node("num", t.column, t.value)
        if t.kind == "str":
            self.advance()
            return _node("str", t.column, t.value)
        if t.kind == "name":
            self.advance()
            if t.text in ("true", "false"):
                return _node("bool", t.column, t.text == "true")
            if self.at_op("("):
                return self.call(t)
            if t.text in ("and", "or", "not", "if", "else"):
                raise ExprError(f"unexpected '{t.text}'", t.column)
            return _node("name", t.column, t.text)
        if self.at_op("("):
            self.advance()
            self.enter()
            try:
                inner = self.expr()
            finally:
                self.nesting -= 1
            self.expect_op(")", "to close '('")
            return inner
        raise ExprError(f"unexpected {_describe(t)}", t.column)

    def call(self, name: Token) -> Node:
        self.advance()  # '('
        args: list[Node] = []
        self.enter()
        try:
            if not self.at_op(")"):
                args.append(self.expr())
                while self.at_op(","):
                    self.advance()
                    args.append(self.expr())
        finally:
            self.nesting -= 1
        self.expect_op(")", f"to close the call of {name.text}()")
        return _node("call", name.column, name.text, args)


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of expression"
    return f"'{tok.text}'"


def parse(source: str) -> Node:
    """Parse ``source`` to an AST; raises ``ExprError`` with the column of the problem."""
    return _Parser(source).parse()

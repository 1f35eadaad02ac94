"""Reads the TypeScript declarations of the npm package (tsify's types of core) into a small AST.

Only what `gen_types.py` needs: exported interfaces and type aliases, and the type expressions
they are made of (unions, intersections, arrays, object literals with optional, indexed and
mapped members, `keyof`, indexed access, generic references, literals). A declaration is parsed
when it is first asked for, so the JS-only conditional and template-literal types of the file
(`CamelCase`, `CamelFields`), which no operation reaches, never need a parser; one that an
operation does reach and that this module cannot read fails loudly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Union

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<doc>/\*\*.*?\*/)
      | (?P<comment>/\*.*?\*/|//[^\n]*)
      | (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<template>`(?:[^`\\]|\\.)*`)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
      | (?P<punct>=>|\.\.\.|[{}\[\]()<>|&;:,?=.])""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class Literal:
    """A string, number or boolean literal type."""

    value: Union[str, int, bool]


@dataclass(frozen=True)
class Keyword:
    """`string`, `number`, `boolean`, `null`, `undefined`, `unknown`, `any`, `never`."""

    name: str


@dataclass(frozen=True)
class Ref:
    """A named type, with its type arguments."""

    name: str
    args: tuple[Type, ...] = ()


@dataclass(frozen=True)
class Array:
    element: Type


@dataclass(frozen=True)
class UnionOf:
    members: tuple[Type, ...]


@dataclass(frozen=True)
class Intersection:
    members: tuple[Type, ...]


@dataclass(frozen=True)
class KeyOf:
    of: Type


@dataclass(frozen=True)
class IndexedAccess:
    """`T[K]`."""

    of: Type
    key: Type


@dataclass(frozen=True)
class Member:
    """`name?: type`, with its doc comment."""

    name: str
    type: Type
    optional: bool
    doc: str = ""


@dataclass(frozen=True)
class IndexSignature:
    """`[key: string]: type`: an object open to any member."""

    value: Type


@dataclass(frozen=True)
class Mapped:
    """`[K in source as rename]?: value`."""

    var: str
    source: Type
    rename: Optional[Type]
    optional: bool
    value: Type


@dataclass(frozen=True)
class ObjectType:
    members: tuple[Union[Member, IndexSignature, Mapped], ...]


Type = Union[Literal, Keyword, Ref, Array, UnionOf, Intersection, KeyOf, IndexedAccess, ObjectType]

KEYWORDS = {"string", "number", "boolean", "null", "undefined", "unknown", "any", "never"}


@dataclass
class Declaration:
    """An exported interface or type alias: its name, type parameters, doc and unparsed body."""

    name: str
    params: tuple[str, ...]
    doc: str
    is_interface: bool
    body: list[Token]
    _parsed: Optional[Type] = field(default=None, repr=False)

    def type(self) -> Type:
        if self._parsed is None:
            parser = _Parser(self.body, self.name)
            parsed = parser.object_type() if self.is_interface else parser.type()
            parser.expect_end()
            self._parsed = parsed
        return self._parsed


class DeclarationError(ValueError):
    """The declarations hold something this reader does not understand."""


def clean_doc(text: str) -> str:
    """The text of a `/** … */` comment, without its frame."""
    lines = [re.sub(r"^\s*\*\s?", "", line) for line in text[3:-2].splitlines()]
    return "\n".join(lines).strip()


def tokenize(text: str) -> list[Token]:
    tokens, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            raise DeclarationError(f"cannot read the declarations at: {text[at:at + 40]!r}")
        kind = match.lastgroup or ""
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group()))
        at = match.end()
    return tokens


def read_declarations(text: str) -> dict[str, Declaration]:
    """Every exported interface and type alias of a `.d.ts`, by name."""
    tokens, found, doc, at = tokenize(text), {}, "", 0
    while at < len(tokens):
        token = tokens[at]
        if token.kind == "doc":
            doc, at = clean_doc(token.text), at + 1
            continue
        if token.text == "export" and at + 2 < len(tokens) and tokens[at + 1].text in ("interface", "type"):
            is_interface, name = tokens[at + 1].text == "interface", tokens[at + 2].text
            at, params = _params(tokens, at + 3)
            if not is_interface:
                at += 1  # "="
            end = _end_of(tokens, at, is_interface)
            found[name] = Declaration(name, params, doc, is_interface, tokens[at:end])
            at = end
        else:
            is_class = any(t.text == "class" for t in tokens[at + 1 : at + 3])
            at = _end_of(tokens, at, is_class) if token.text == "export" else at + 1
        doc = ""
    return found


def _params(tokens: list[Token], at: int) -> tuple[int, tuple[str, ...]]:
    if tokens[at].text != "<":
        return at, ()
    names, depth = [], 0
    expect_name = True
    while True:
        text = tokens[at].text
        depth += {"<": 1, ">": -1}.get(text, 0)
        if depth == 0:
            return at + 1, tuple(names)
        if expect_name and tokens[at].kind == "name":
            names.append(text)
            expect_name = False
        elif text == "," and depth == 1:
            expect_name = True
        at += 1


def _end_of(tokens: list[Token], at: int, braces: bool) -> int:
    """Past the end of a declaration: its closing brace (`braces`: interface, class) or its `;`."""
    depth = 0
    while at < len(tokens):
        text = tokens[at].text
        if text in "{[(":
            depth += 1
        elif text in "}])":
            depth -= 1
            if depth == 0 and braces:
                return at + 1
        elif text == ";" and depth == 0:
            return at + 1
        at += 1
    return at


class _Parser:
    def __init__(self, tokens: list[Token], where: str) -> None:
        self.tokens, self.at, self.where = tokens, 0, where

    def fail(self, why: str) -> DeclarationError:
        near = " ".join(t.text for t in self.tokens[self.at : self.at + 8])
        return DeclarationError(f"{self.where}: {why} near `{near}`")

    def peek(self) -> str:
        return self.tokens[self.at].text if self.at < len(self.tokens) else ""

    def take(self, expected: Optional[str] = None) -> Token:
        if self.at >= len(self.tokens) or (expected is not None and self.peek() != expected):
            raise self.fail(f"expected `{expected}`")
        self.at += 1
        return self.tokens[self.at - 1]

    def expect_end(self) -> None:
        if self.peek() == ";":
            self.at += 1
        if self.at != len(self.tokens):
            raise self.fail("unexpected text")

    def type(self) -> Type:
        if self.peek() == "|":
            self.take()
        members = [self.intersection()]
        while self.peek() == "|":
            self.take()
            members.append(self.intersection())
        return members[0] if len(members) == 1 else UnionOf(tuple(members))

    def intersection(self) -> Type:
        members = [self.postfix()]
        while self.peek() == "&":
            self.take()
            members.append(self.postfix())
        return members[0] if len(members) == 1 else Intersection(tuple(members))

    def postfix(self) -> Type:
        base = self.primary()
        while self.peek() == "[":
            self.take()
            if self.peek() == "]":
                self.take()
                base = Array(base)
            else:
                key = self.type()
                self.take("]")
                base = IndexedAccess(base, key)
        return base

    def primary(self) -> Type:
        token = self.tokens[self.at] if self.at < len(self.tokens) else Token("end", "")
        if token.text == "(":
            self.take()
            inner = self.type()
            self.take(")")
            return inner
        if token.text == "{":
            return self.object_type()
        if token.text == "keyof":
            self.take()
            return KeyOf(self.postfix())
        if token.kind == "string":
            self.take()
            return Literal(token.text[1:-1])
        if token.kind == "number":
            self.take()
            return Literal(int(token.text))
        if token.text in ("true", "false"):
            self.take()
            return Literal(token.text == "true")
        if token.text in KEYWORDS:
            self.take()
            return Keyword(token.text)
        if token.kind == "name":
            self.take()
            args: list[Type] = []
            if self.peek() == "<":
                self.take()
                args.append(self.type())
                while self.peek() == ",":
                    self.take()
                    args.append(self.type())
                self.take(">")
            if self.peek() == "extends":
                raise self.fail("conditional types are not supported")
            return Ref(token.text, tuple(args))
        raise self.fail("unsupported type")

    def object_type(self) -> ObjectType:
        self.take("{")
        members: list[Union[Member, IndexSignature, Mapped]] = []
        doc = ""
        while self.peek() != "}":
            token = self.tokens[self.at]
            if token.kind == "doc":
                doc = clean_doc(token.text)
                self.take()
                continue
            if token.text == "readonly":
                self.take()
            if self.peek() == "[":
                members.append(self.bracket_member())
            else:
                name = self.take().text
                name = name[1:-1] if name.startswith('"') else name
                optional = self.peek() == "?"
                if optional:
                    self.take()
                self.take(":")
                members.append(Member(name, self.type(), optional, doc))
            doc = ""
            if self.peek() in (";", ","):
                self.take()
        self.take("}")
        return ObjectType(tuple(members))

    def bracket_member(self) -> Union[IndexSignature, Mapped]:
        self.take("[")
        var = self.take().text
        if self.peek() == ":":
            self.take()
            self.type()
            self.take("]")
            self.take(":")
            return IndexSignature(self.type())
        self.take("in")
        source = self.type()
        rename = None
        if self.peek() == "as":
            self.take()
            rename = self.type()
        self.take("]")
        optional = self.peek() == "?"
        if optional:
            self.take()
        self.take(":")
        return Mapped(var, source, rename, optional, self.type())

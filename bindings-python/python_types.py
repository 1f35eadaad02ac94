"""Writes Python type definitions for TypeScript types read by `ts_declarations` (for gen_types.py).

Object types become TypedDicts (a `?` member `NotRequired`, `| null` `Optional`), string enums
`Literal` aliases, tagged unions of object literals one TypedDict per variant named after its
tag (`Actor` → `ActorMember | ActorNonMember | ActorTenant`), generic interfaces generic
TypedDicts (`Effective[int]`). Intersections, `keyof` and mapped types (`PatchOf<T>`, with the
`CamelCase<K>` renaming of the npm declarations) are evaluated into the members they denote.
A definition is written after everything it names: the module's annotations are evaluated at
import, with no forward reference.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import replace
from typing import Any

import ts_declarations as ts

NO_VALUE = ("null", "undefined")
SCALARS = {"string": "str", "number": "int", "boolean": "bool", "unknown": "Any", "any": "Any"}
EMPTY = "EmptyObject"


class NotAnObject(ValueError):
    """The type is not an object type with a closed set of members."""


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def substitute(node: Any, names: dict[str, ts.Type]) -> Any:
    """`node` with every argument-less reference to one of `names` replaced by its type."""
    if isinstance(node, ts.Ref) and not node.args and node.name in names:
        return names[node.name]
    if isinstance(node, tuple):
        return tuple(substitute(item, names) for item in node)
    if hasattr(node, "__dataclass_fields__"):
        return replace(node, **{k: substitute(getattr(node, k), names) for k in node.__dataclass_fields__})
    return node


def python_doc(text: str, indent: str) -> str:
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = body.splitlines() or [""]
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    return f'{indent}"""' + lines[0] + "\n" + "".join(f"{indent}{l}\n".rstrip(" ") if l else "\n" for l in lines[1:]) + f'{indent}"""\n'


def comment(text: str, indent: str) -> str:
    return "".join(f"{indent}# {line}".rstrip() + "\n" for line in text.splitlines())


class TypeWriter:
    """Collects the Python definitions the types asked for need, in dependency order."""

    def __init__(self, decls: dict[str, ts.Declaration]) -> None:
        self.decls = decls
        self.defined: dict[str, str] = {}  # name -> rendered definition ("" while being written)
        self.typevars: set[str] = set()

    def module(self) -> str:
        used = "".join(self.defined.values())
        used += "TypeVar" if self.typevars else ""
        typing_names = [n for n in ("Any", "Generic", "Literal", "Optional", "TypeVar", "Union") if re.search(rf"\b{n}\b", used)]
        head = '"""The input and output types of every orgkit operation (`orgkit.call`, the facade functions).\n\n'
        head += "Plain dicts at run time, TypedDicts for the type checker: `orgkit.resolve_settings(...)` is an\n"
        head += '`EffectiveSettings`, `out["require_mfa"]["value"]` a `bool`.\n"""\n\n'
        # No `from __future__ import annotations`: TypedDict finds `NotRequired` members only in
        # evaluated annotations (`__required_keys__`, read by pydantic and FastAPI).
        head += "import sys\n"
        head += f"from typing import {', '.join(typing_names)}\n\n"
        head += "if sys.version_info >= (3, 12):\n    from typing import NotRequired, TypeAlias, TypedDict\n"
        head += "else:  # generic TypedDicts and NotRequired at run time before 3.12\n"
        head += "    from typing_extensions import NotRequired, TypeAlias, TypedDict\n\n"
        head += "".join(f'{v} = TypeVar("{v}")\n' for v in sorted(self.typevars))
        names = "".join(f'    "{name}",\n' for name in sorted(self.defined))
        return head + f"\n__all__ = [\n{names}]\n" + "".join(f"\n\n{d}" for d in self.defined.values())

    def alias(self, name: str, expression: str, doc: str) -> str:
        self.define(name, f"{comment(doc, '')}{name}: TypeAlias = {expression}\n")
        return name

    def define(self, name: str, text: str) -> None:
        if self.defined.get(name):
            raise ts.DeclarationError(f"two Python types would be named {name}")
        self.defined.pop(name, None)  # written after what it depends on
        self.defined[name] = text

    def python(self, node: ts.Type, hint: str) -> str:
        """The Python type of `node`, defining what it names; `hint` names an anonymous object type."""
        if isinstance(node, ts.Literal):
            return f"Literal[{self.literal(node)}]"
        if isinstance(node, ts.Keyword):
            if node.name in NO_VALUE:
                return "None"
            if node.name not in SCALARS:
                raise ts.DeclarationError(f"{hint}: `{node.name}` has no Python type")
            return SCALARS[node.name]
        if isinstance(node, ts.Array):
            return f"list[{self.python(node.element, hint)}]"
        if isinstance(node, ts.UnionOf):
            return self.union(node, hint)
        if isinstance(node, ts.Ref):
            return self.reference(node, hint)
        if isinstance(node, ts.IndexedAccess):
            return self.python(self.member(node.of, node.key).type, hint)
        open_to = [m for m in getattr(node, "members", ()) if isinstance(m, ts.IndexSignature)]
        if isinstance(node, ts.ObjectType) and open_to:  # `{ kty: string; [member: string]: unknown }`
            return f"dict[str, {self.python(open_to[0].value, hint)}]"
        return self.typed_dict(pascal(hint), node, "")

    @staticmethod
    def literal(node: ts.Literal) -> str:
        return f'"{node.value}"' if isinstance(node.value, str) else repr(node.value)

    def union(self, node: ts.UnionOf, hint: str) -> str:
        flat: list[ts.Type] = []
        pending = list(node.members)
        while pending:
            member = pending.pop(0)
            if isinstance(member, ts.IndexedAccess):  # `T[K] | null` of a nullable member: one Optional
                pending.insert(0, self.member(member.of, member.key).type)
            elif isinstance(member, ts.UnionOf):
                pending[:0] = member.members
            else:
                flat.append(member)
        literals = [self.literal(m) for m in flat if isinstance(m, ts.Literal)]
        parts = [f"Literal[{', '.join(literals)}]"] if literals else []
        for member in flat:
            if isinstance(member, ts.ObjectType):
                tag = self.tag(member)
                parts.append(self.typed_dict(pascal(hint) + pascal(tag), member, f"`{hint}` tagged `{tag}`."))
            elif not isinstance(member, ts.Literal) and not (isinstance(member, ts.Keyword) and member.name in NO_VALUE):
                parts.append(self.python(member, hint))
        parts = list(dict.fromkeys(parts))
        nullable = any(isinstance(m, ts.Keyword) and m.name in NO_VALUE for m in flat)
        inner = parts[0] if len(parts) == 1 else f"Union[{', '.join(parts)}]"
        return f"Optional[{inner}]" if nullable else inner

    @staticmethod
    def tag(variant: ts.ObjectType) -> str:
        """A variant's tag: the value of its first literal member (`{ kind: "member", … }`)."""
        for member in variant.members:
            if isinstance(member, ts.Member) and isinstance(member.type, ts.Literal):
                return str(member.type.value)
        raise ts.DeclarationError(f"a union variant without a literal tag: {variant}")

    def reference(self, node: ts.Ref, hint: str) -> str:
        if node.name in self.typevars:
            return node.name
        if node.name in ("Record", "Array"):
            value = node.args[-1]
            if node.name == "Array":
                return f"list[{self.python(value, hint)}]"
            if isinstance(value, ts.Keyword) and value.name == "never":
                return self.typed_dict(EMPTY, ts.ObjectType(()), "An object with no members: `{}`.")
            return f"dict[str, {self.python(value, hint)}]"
        decl = self.declaration(node.name)
        if decl.params and decl.is_interface:
            return self.generic_typed_dict(decl) + "[" + ", ".join(self.python(a, hint) for a in node.args) + "]"
        if decl.params:  # a generic alias (`PatchOf<Floors>`): its instance, named after it
            body = substitute(decl.type(), dict(zip(decl.params, node.args)))
            arguments = [a.name for a in node.args if isinstance(a, ts.Ref)]
            name = "".join(arguments) + decl.name.removesuffix("Of")  # `PatchOf<Floors>` → `FloorsPatch`
            return self.object_or_alias(name, body, f"`{decl.name}<{', '.join(arguments)}>`: {decl.doc}")
        if node.name not in self.defined:
            self.object_or_alias(decl.name, decl.type(), decl.doc)
        elif not self.defined[node.name]:
            raise ts.DeclarationError(f"{node.name} refers to itself: types.py would need a forward reference")
        return node.name

    def declaration(self, name: str) -> ts.Declaration:
        if name not in self.decls:
            raise ts.DeclarationError(f"the declarations do not define {name}")
        return self.decls[name]

    def object_or_alias(self, name: str, body: ts.Type, doc: str) -> str:
        if name in self.defined:
            return name
        try:
            self.members(body)
        except NotAnObject:
            self.defined.setdefault(name, "")  # a self-reference stays a name
            return self.alias(name, self.python(body, name), doc)
        return self.typed_dict(name, body, doc)

    def generic_typed_dict(self, decl: ts.Declaration) -> str:
        if decl.name not in self.defined:
            variables = {p: ts.Ref(f"_{p}") for p in decl.params}
            self.typevars.update(v.name for v in variables.values())
            generic = ", ".join(v.name for v in variables.values())
            self.typed_dict(decl.name, substitute(decl.type(), variables), decl.doc, f", Generic[{generic}]")
        return decl.name

    def typed_dict(self, name: str, body: ts.Type, doc: str, bases: str = "") -> str:
        if name in self.defined:
            return name
        self.defined[name] = ""
        parents, inherited = self.parents(body, name)
        bases = ", ".join(parents) if parents else f"TypedDict{bases}"
        fields = []
        for member in self.members(body):
            if member.name in inherited:
                continue
            if not member.name.isidentifier() or keyword.iskeyword(member.name):
                raise ts.DeclarationError(f"{name}.{member.name} is not a Python identifier")
            value = self.python(member.type, name + pascal(member.name))
            value = f"NotRequired[{value}]" if member.optional else value
            fields.append(f"{comment(member.doc, '    ')}    {member.name}: {value}\n")
        spacing = "\n" if any(m.doc for m in self.members(body) if m.name not in inherited) else ""
        body_text = "\n" + spacing.join(fields) if fields else ""
        self.define(name, f"class {name}({bases}):\n{python_doc(doc or name, '    ')}{body_text}")
        return name

    def parents(self, body: ts.Type, name: str) -> tuple[list[str], set[str]]:
        """An intersection's named object types, as base classes, and the members they bring."""
        if not isinstance(body, ts.Intersection):
            return [], set()
        named = [p for p in body.members if isinstance(p, ts.Ref) and not self.declaration(p.name).params]
        return [self.python(p, name) for p in named], {m.name for p in named for m in self.members(p)}

    def members(self, node: ts.Type) -> list[ts.Member]:
        """The members of an object type, intersections, mapped types and references evaluated."""
        if isinstance(node, ts.ObjectType):
            found: list[ts.Member] = []
            for member in node.members:
                if isinstance(member, ts.IndexSignature):
                    raise NotAnObject("open to any member")
                found += self.mapped(member) if isinstance(member, ts.Mapped) else [member]
            return found
        if isinstance(node, ts.Intersection):
            merged: dict[str, ts.Member] = {}
            for part in node.members:
                for member in self.members(part):
                    if member.name in merged and merged[member.name].type != member.type:
                        raise ts.DeclarationError(f"member {member.name} has two types in {node}")
                    merged.setdefault(member.name, member)
            return list(merged.values())
        if isinstance(node, ts.Ref) and node.name == "Record" and node.args[-1] == ts.Keyword("never"):
            return []
        if isinstance(node, ts.Ref) and node.name in self.decls:
            decl = self.decls[node.name]
            return self.members(substitute(decl.type(), dict(zip(decl.params, node.args))))
        raise NotAnObject(str(node))

    def member(self, of: ts.Type, key: ts.Type) -> ts.Member:
        if not isinstance(key, ts.Literal):
            raise ts.DeclarationError(f"indexed access by a non-literal key: {key}")
        for member in self.members(of):
            if member.name == key.value:
                return member
        raise ts.DeclarationError(f"{of} has no member {key.value}")

    def mapped(self, mapped: ts.Mapped) -> list[ts.Member]:
        """`{ [K in keyof T (& string) (as CamelCase<K>)]?: V }` → one member per member of `T`."""
        source = mapped.source
        if isinstance(source, ts.Intersection) and ts.Keyword("string") in source.members:
            source = next(m for m in source.members if m != ts.Keyword("string"))
        if not isinstance(source, ts.KeyOf):
            raise ts.DeclarationError(f"mapped type over {source}")
        if mapped.rename is not None and mapped.rename != ts.Ref("CamelCase", (ts.Ref(mapped.var),)):
            raise ts.DeclarationError(f"mapped type renamed by {mapped.rename}")
        found = []
        for member in self.members(source.of):
            value = substitute(mapped.value, {mapped.var: ts.Literal(member.name)})
            name = member.name if mapped.rename is None else camel(member.name)
            found.append(ts.Member(name, value, mapped.optional or member.optional, member.doc))
        return found


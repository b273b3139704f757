"""YAML to plain data, plus the line of every path for the messages."""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from common.production_file.problems import Path_, Problem, ProductionFileProblems, _too_big, _too_large
from common.production_file.types import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from common.production_file.wording import Message, Num, say


class _TooLarge(Exception):
    pass


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key twice in one mapping: the reader's own error, with our message for it."""

    def __init__(self, message: Message, mark: yaml.Mark) -> None:
        super().__init__(None, None, message.render("en"), mark)
        self.message = message


class _Loader(yaml.SafeLoader):
    """Safe YAML with YAML 1.2 booleans and no sexagesimal numbers; duplicate keys are refused.

    Nodes are counted as they are built, so a file of many small values is refused once it passes
    ``MAX_VALUES``, before the rest of it is parsed.
    """

    nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.nodes += 1
        if self.nodes > MAX_VALUES:
            raise _TooLarge
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
for _first in "+-0123456789.":
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, regexp)
        for tag, regexp in _Loader.yaml_implicit_resolvers.get(_first, [])
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
        except TypeError:
            continue  # an unhashable key: the base constructor reports it
        if duplicate:
            raise _DuplicateKey(say("yaml.duplicate_key", key=repr(key), line=Num(seen[key].start_mark.line + 1)),
                                key_node.start_mark)
        seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date that does not exist (2027-02-30) stays text, so the message can say where it is."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A whole number longer than any quantity is kept as a decimal: Python refuses to read an int of
    more than 4,300 digits, and the field's own range check then says where it is and what fits."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    if len(text.lstrip("+-")) > 30 and text.lstrip("+-").isdigit():
        return Decimal(text)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """1e400 is not infinity, nor 1e-400 zero: keep them as decimals, for the field's checks to refuse."""
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    text = str(node.value).replace("_", "")
    mantissa = re.split("[eE]", text)[0]
    lost = not math.isfinite(value) or (value == 0 and any(c in "123456789" for c in mantissa))
    if isinstance(value, float) and lost and not text.lstrip("+-").startswith("."):
        try:
            return Decimal(text)
        except InvalidOperation:
            return value
    return value


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _lines(node: yaml.Node | None) -> dict[Path_, int]:
    """The 1-based line of every path in the document (of the key, for mapping entries).

    Aliases are followed, so this also measures the data the file expands to: a few lines of nested
    aliases can stand for billions of values, which no production needs (``_TooLarge``).
    """
    lines: dict[Path_, int] = {}
    stack: list[tuple[Path_, yaml.Node, int]] = [((), node, 0)] if node is not None else []
    visited = 0
    while stack:
        path, current, line = stack.pop()
        lines.setdefault(path, line or current.start_mark.line + 1)
        visited += 1
        if visited > MAX_VALUES or len(path) > MAX_DEPTH:
            raise _TooLarge
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    stack.append(((*path, key_node.value), value_node, key_node.start_mark.line + 1))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append(((*path, index), item, 0))
    return lines



def _read_yaml(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    if len(text) > MAX_FILE_BYTES:
        raise ProductionFileProblems(file, [_too_big(len(text.encode("utf-8", "replace")))])
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError, _TooLarge) as e:
        raise ProductionFileProblems(file, [_yaml_problem(e)]) from None
    finally:
        if loader is not None:
            loader.dispose()
    try:
        return data, _lines(node)
    except _TooLarge:
        raise ProductionFileProblems(file, [_too_large()]) from None


def _yaml_problem(e: Exception) -> Problem:
    """What stopped the YAML reader, in plain words; where it stopped when the reader says so."""
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        if isinstance(e, _DuplicateKey):
            return Problem.of(where, say("yaml.invalid", detail=e.message))
        problem = " ".join(p for p in (e.context, e.problem) if p) or "not valid YAML"
        # The YAML reader's own words (English) are quoted as they are: they name the token it met.
        return Problem.of(where, say("yaml.invalid", detail=problem))
    if isinstance(e, yaml.reader.ReaderError):
        code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "\0")
        return Problem.of("", say("yaml.character", code=f"U+{code:04X}", position=Num(e.position)))
    if isinstance(e, RecursionError):
        return Problem.of("", say("yaml.too_deep"))
    if isinstance(e, _TooLarge):
        return _too_large()
    return Problem.of("", say("yaml.invalid", detail=str(e)))  # other YAML errors, or e.g. the date 2027-02-30

"""Read YAML the way Docker Compose (Go yaml.v3) does, keeping the line of every key and item.

Mappings come back as `LMap` (a dict that also knows where each key was written) and sequences as
`LSeq`. `!reset` and `!override` values come back wrapped in `Reset` / `Override`, which the
merge step understands. Scalars follow YAML 1.2 like yaml.v3: `yes`/`on` stay strings, `80:80`
is a string (not a base-60 number), and timestamps stay strings.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from converter.errors import LoadError

Pos = tuple[str, int]  # (file, 1-based line)


class LMap(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it and each of its keys were written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pos: dict[Any, Pos] = {}
        self.origin: Pos | None = None


class LSeq(list):  # type: ignore[type-arg]
    """A sequence that remembers where each item was written."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.pos: list[Pos | None] = [None] * len(self)
        self.origin: Pos | None = None


class Reset:
    """A value tagged `!reset`: drop whatever earlier files said for this key."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Reset({self.value!r})"


class Override:
    """A value tagged `!override`: replace what earlier files said instead of merging."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Override({self.value!r})"


_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


# libyaml's parser when PyYAML was built with it (about 10x faster); same nodes, same marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """SafeLoader with YAML 1.2 scalars and position-keeping containers."""

    file: str = "<string>"

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # Every use of an anchored node (`*a`, `<<: *a`) gets its own copy, as in yaml.v3: later
        # steps change values in place (interpolation, paths), and a shared object would be
        # changed once per use (`$$` consumed twice, a path made absolute twice).
        if not isinstance(node, ScalarNode):
            self.constructed_objects.pop(node, None)
        return super().construct_object(node, deep)


# Start from no implicit resolvers, then add only the YAML 1.2 core ones.
_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])


def _pos(loader: _Loader, node: Node) -> Pos:
    return (loader.file, node.start_mark.line + 1)


def _construct_int(loader: _Loader, node: ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if len(digits) > 1 and digits.startswith("0") and re.fullmatch(r"0[0-7]+", digits):
        return sign * int(digits, 8)  # yaml.v3 reads a leading 0 as octal, like Go's ParseInt
    return sign * int(digits)


def _construct_float(loader: _Loader, node: ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def _construct_map(loader: _Loader, node: MappingNode) -> LMap:
    if not isinstance(node, MappingNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"expected a mapping, found {node.id}", node.start_mark
        )
    result = LMap()
    result.origin = _pos(loader, node)
    seen: set[Any] = set()
    merged: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            merged.extend(_merge_sources(loader, value_node))
            continue
        key = _key(loader, key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"mapping key {key!r} already defined", key_node.start_mark
            )
        seen.add(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.pos[key] = _pos(loader, key_node)
    # `<<: *a` / `<<: [*a, *b]`: own keys win, then the first source that has the key (YAML spec;
    # PyYAML's own flattening lets the last one win, yaml.v3 and Docker Compose do not).
    for key_node, value_node in merged:
        key = _key(loader, key_node)
        if key not in result:
            result[key] = loader.construct_object(value_node, deep=True)
            result.pos[key] = _pos(loader, key_node)
    if merged:
        order = [k for k in result if k not in seen] + [k for k in result if k in seen]
        reordered = LMap((k, result[k]) for k in order)
        reordered.pos, reordered.origin = result.pos, result.origin
        result = reordered
    return result


def _merge_sources(loader: _Loader, value_node: Node) -> list[tuple[Node, Node]]:
    """The (key, value) nodes a merge key brings in, in priority order."""
    if isinstance(value_node, MappingNode):
        sources = [value_node]
    elif isinstance(value_node, SequenceNode):
        sources = list(value_node.value)
    else:
        raise yaml.constructor.ConstructorError(
            None, None, "`<<` expects an alias of a mapping or a list of them",
            value_node.start_mark)
    pairs: list[tuple[Node, Node]] = []
    for source in sources:
        if not isinstance(source, MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, "`<<` expects an alias of a mapping or a list of them",
                source.start_mark)
        own = [(k, v) for k, v in source.value if k.tag != "tag:yaml.org,2002:merge"]
        nested = [v for k, v in source.value if k.tag == "tag:yaml.org,2002:merge"]
        pairs.extend(own)
        for inner in nested:
            pairs.extend(_merge_sources(loader, inner))
    return pairs


def _key(loader: _Loader, key_node: Node) -> Any:
    key = loader.construct_object(key_node, deep=True)
    if isinstance(key, (list, dict)):
        raise yaml.constructor.ConstructorError(
            None, None, "a mapping key must be a plain value", key_node.start_mark
        )
    if not isinstance(key, str):
        key = str(_scalar_text(key_node))  # `80:` or `true:` as a key means the text
    return key


def _scalar_text(node: Node) -> Any:
    return node.value if isinstance(node, ScalarNode) else node


def _construct_seq(loader: _Loader, node: SequenceNode) -> LSeq:
    if not isinstance(node, SequenceNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"expected a sequence, found {node.id}", node.start_mark
        )
    result = LSeq([loader.construct_object(item, deep=True) for item in node.value])
    result.pos = [_pos(loader, item) for item in node.value]
    result.origin = _pos(loader, node)
    return result


def _construct_tagged(loader: _Loader, node: Node) -> Any:
    if isinstance(node, MappingNode):
        return _construct_map(loader, node)
    if isinstance(node, SequenceNode):
        return _construct_seq(loader, node)
    text = loader.construct_scalar(node)  # type: ignore[arg-type]
    if _NULL.match(text):
        return None
    return text


def _construct_reset(loader: _Loader, node: Node) -> Reset:
    return Reset(_construct_tagged(loader, node))


def _construct_override(loader: _Loader, node: Node) -> Override:
    return Override(_construct_tagged(loader, node))


def _construct_str(loader: _Loader, node: ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)
_Loader.add_constructor("!reset", _construct_reset)
_Loader.add_constructor("!override", _construct_override)

# Documents with more nodes than this are refused: aliases can make a tiny file explode.
MAX_NODES = 200_000


def read_yaml(text: str, file: str) -> Any:
    """Parse one YAML document. Raises LoadError (with file and line) on any YAML problem."""
    loader = _Loader(text)
    loader.file = file
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = err.problem or err.context or "invalid YAML"
        raise LoadError(
            f"invalid YAML: {problem}",
            file=file,
            line=line,
            hint="fix the YAML syntax (indentation, quotes, a missing ':' or '-')",
        ) from None
    except yaml.YAMLError as err:
        raise LoadError(f"invalid YAML: {err}", file=file, hint="fix the YAML syntax") from None
    except RecursionError:
        raise LoadError(
            "the YAML nests too deeply (or an anchor refers to itself)",
            file=file,
            hint="flatten the structure or remove the self-referencing alias",
        ) from None
    finally:
        loader.dispose()


def _check_size(root: Node) -> None:
    """Count nodes, following aliases, so `billion laughs` documents fail fast and clearly."""
    count = 0
    stack: list[tuple[Node, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > 500:
            raise yaml.constructor.ConstructorError(
                None, None, "document too large once aliases are expanded", node.start_mark
            )
        if isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


def plain(value: Any) -> Any:
    """Deep copy to plain dicts/lists (drop positions and tags), e.g. for JSON or schema checks."""
    if isinstance(value, (Reset, Override)):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def copy_tree(value: Any) -> Any:
    """Deep copy that keeps positions."""
    if isinstance(value, Reset):
        return Reset(copy_tree(value.value))
    if isinstance(value, Override):
        return Override(copy_tree(value.value))
    if isinstance(value, dict):
        out = LMap((k, copy_tree(v)) for k, v in value.items())
        if isinstance(value, LMap):
            out.pos = dict(value.pos)
            out.origin = value.origin
        return out
    if isinstance(value, list):
        seq = LSeq([copy_tree(v) for v in value])
        if isinstance(value, LSeq):
            seq.pos = list(value.pos)
            seq.origin = value.origin
        return seq
    return value


def key_pos(mapping: Any, key: Any) -> Pos | None:
    if isinstance(mapping, LMap):
        return mapping.pos.get(key)
    return None


def item_pos(seq: Any, index: int) -> Pos | None:
    if isinstance(seq, LSeq) and 0 <= index < len(seq.pos):
        return seq.pos[index]
    return None


def locate(root: Any, path: list[Any]) -> Pos | None:
    """The position of the deepest key/item along `path` that we know."""
    found: Pos | None = getattr(root, "origin", None)
    node = root
    for part in path:
        if isinstance(node, dict) and part in node:
            found = key_pos(node, part) or found
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            found = item_pos(node, part) or found
            node = node[part]
        else:
            break
        if isinstance(node, (Reset, Override)):
            node = node.value
    return found


def format_path(path: list[Any]) -> str:
    """['services', 'api', 'ports', 1] -> 'services.api.ports[1]'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out

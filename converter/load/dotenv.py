"""The Compose dotenv syntax, used for `.env`, `--env-file` and a service's `env_file`.

    # comment
    export KEY=value          # `export ` is allowed and ignored
    KEY = value # comment     # unquoted: trimmed, ` #` starts a comment, interpolated
    KEY='raw $text'           # single quotes: literal, may span lines
    KEY="a\\nb ${OTHER}"      # double quotes: \\n \\t \\" \\\\ escapes, interpolated, multi-line
    KEY: value                # `:` works as a separator too
    KEY                       # no value: taken from the lookup (the environment), else unset

Values can use variables defined earlier in the same file, then the lookup given by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from converter.errors import LoadError
from converter.load.interpolate import InterpolationProblem, substitute

_KEY = re.compile(r"[A-Za-z0-9_.\-\[\]]+")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$$", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}


def parse_dotenv(
    text: str,
    file: str,
    lookup: Callable[[str], str | None] | None = None,
    warnings: list[str] | None = None,
) -> dict[str, str | None]:
    """Parse dotenv text into an ordered dict. A bare `KEY` maps to the lookup's value or None."""
    outer = lookup or (lambda _name: None)
    result: dict[str, str | None] = {}

    def resolve(name: str) -> str | None:
        if name in result and result[name] is not None:
            return result[name]
        return outer(name)

    text = text.removeprefix("\ufeff")
    pos = 0
    line_no = 1
    n = len(text)
    while pos < n:
        # skip blank lines and whitespace
        while pos < n and text[pos] in " \t\r\n":
            if text[pos] == "\n":
                line_no += 1
            pos += 1
        if pos >= n:
            break
        if text[pos] == "#":
            pos = _line_end(text, pos)
            continue
        start_line = line_no
        if text.startswith("export ", pos) or text.startswith("export\t", pos):
            pos += len("export ")
            while pos < n and text[pos] in " \t":
                pos += 1
        match = _KEY.match(text, pos)
        if not match:
            bad = text[pos:_line_end(text, pos)].strip()
            raise LoadError(
                f"invalid line {bad!r}: expected KEY=VALUE",
                file=file, line=start_line,
                hint="variable names use letters, digits, '_', '.', '-'; quote values with spaces",
            )
        key = match.group(0)
        pos = match.end()
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos >= n or text[pos] in "\r\n#":
            # `KEY` alone: inherit from the environment
            result[key] = outer(key)
            pos = _line_end(text, pos)
            continue
        if text[pos] not in "=:":
            bad = text[match.start():_line_end(text, pos)].strip()
            raise LoadError(
                f"invalid line {bad!r}: expected KEY=VALUE",
                file=file, line=start_line,
                hint="a variable name cannot contain spaces; write KEY=VALUE",
            )
        pos += 1
        while pos < n and text[pos] in " \t":
            pos += 1
        try:
            value, pos, interpolate = _read_value(text, pos, file, start_line)
            if interpolate:
                value = substitute(value, resolve, warnings)
        except InterpolationProblem as problem:
            raise LoadError(problem.message, file=file, line=start_line, key_path=key,
                            hint=problem.hint) from None
        result[key] = value
        line_no = text.count("\n", 0, pos) + 1
    return result


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _read_value(text: str, pos: int, file: str, line: int) -> tuple[str, int, bool]:
    """Return (value, position after it, whether to interpolate)."""
    n = len(text)
    if pos < n and text[pos] in "'\"":
        quote = text[pos]
        i = pos + 1
        chars: list[str] = []
        while i < n:
            ch = text[i]
            if ch == "\\" and i + 1 < n:
                nxt = text[i + 1]
                if quote == '"':
                    chars.append(_ESCAPES.get(nxt, "\\" + nxt))
                    i += 2
                    continue
                if nxt == "'":
                    chars.append("'")
                    i += 2
                    continue
            if ch == quote:
                end = _line_end(text, i + 1)
                trailing = text[i + 1 : end].strip()
                if trailing and not trailing.startswith("#"):
                    raise LoadError(
                        f"unexpected text {trailing!r} after the closing quote",
                        file=file, line=line,
                        hint="put the whole value inside the quotes, or start a comment with ' #'",
                    )
                return "".join(chars), end, quote == '"'
            chars.append(ch)
            i += 1
        raise LoadError(
            f"the value starting with {quote} is never closed",
            file=file, line=line, hint=f"add the closing {quote}",
        )
    end = _line_end(text, pos)
    raw = text[pos:end]
    comment = re.search(r"\s#", raw)
    if comment:
        raw = raw[: comment.start()]
    return raw.strip(), end, True

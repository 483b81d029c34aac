"""Split a `command` / `entrypoint` string into words exactly as Docker Compose does.

Compose uses the go-shellwords rules (no variable expansion, no command substitution), which are
not POSIX shell rules: a backslash escapes the next character even inside double quotes (`\\t`
and `\\n` become a tab and a newline), `$(...)` is kept as one word with everything inside it,
an unquoted `(` that does not follow `$` is an error, and an unquoted `;`, `&`, `|`, `<` or `>`
ends the command: the rest of the string is ignored (Compose runs no shell here).
"""

from __future__ import annotations

_SPACE = " \t\r\n"


class ShellWordsError(ValueError):
    """The string cannot be split (an open quote, a stray parenthesis)."""


def split(line: str) -> tuple[list[str], str | None]:
    """(words, ignored rest): `ignored` is the text after an unquoted ; & | < > (or None)."""
    args: list[str] = []
    buf: list[str] = []
    escaped = double = single = back = dollar = False
    got = 0  # 0: nothing, 1: a character, 2: a quoted (possibly empty) word

    def flush() -> None:
        nonlocal got
        if got == 2 or (got != 0 and buf):
            args.append("".join(buf))
        buf.clear()
        got = 0

    rest: str | None = None
    for index, char in enumerate(line):
        if escaped:
            escaped = False
            if back or dollar:
                buf.extend(("\\", char))
            else:
                buf.append({"t": "\t", "n": "\n"}.get(char, char))
            got = 1
            continue
        if char == "\\":
            if single:
                buf.append("\\")
            else:
                escaped = True
            continue
        if char in _SPACE:
            if single or double or back or dollar:
                buf.append(char)
            else:
                flush()
            continue
        if char == "`":
            if not single and not double and not dollar:
                back = not back
        elif char == ")":
            if not single and not double and not back:
                if not dollar:
                    raise ShellWordsError("a ')' closes nothing")
                buf.append(")")
                dollar = False
                got = 1
                continue
        elif char == "(":
            if not single and not double and not back:
                if not dollar and buf and buf[-1] == "$" and not (len(buf) > 1 and buf[-2] == "\\"):
                    dollar = True
                    buf.append("(")
                    continue
                raise ShellWordsError("a '(' that does not start '$(' (write it in quotes)")
        elif char == '"':
            if not single and not dollar and not back:
                if double:
                    got = 2
                double = not double
                continue
        elif char == "'":
            if not double and not dollar and not back:
                if single:
                    got = 2
                single = not single
                continue
        elif char in ";&|<>":
            if not (single or double or back or dollar):
                if char == ">" and buf and all(c.isdigit() for c in buf):
                    buf.clear()  # "2>file": the descriptor number is not a word
                    got = 0
                rest = line[index:]
                break
        got = 1
        buf.append(char)
    else:
        if escaped or single or double or back or dollar:
            raise ShellWordsError("a quote, '$(' or '`' is never closed, or the text ends "
                                  "with '\\'")
    flush()
    return args, rest

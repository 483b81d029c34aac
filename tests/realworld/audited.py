"""Run the kubemap CLI with a Python audit hook that records every file it opens or lists
outside the allowed roots (the project folder, the output folder, the Python installation and
kubemap's own package). Used by test_realworld.py:

    python audited.py LOG ROOTS_JSON -- convert -f ... -o OUT

LOG gets one JSON line per violation, written as it happens (a read that then blocks for ever
is still on record when the test's timeout kills the process). The hook is installed before
kubemap is imported, so imports are audited too.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    log_path, roots_json, sep, *argv = sys.argv[1:]
    assert sep == "--", "usage: audited.py LOG ROOTS_JSON -- kubemap args"
    roots = [os.path.realpath(r) for r in json.loads(roots_json)]
    roots += [os.path.realpath(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}]
    roots += [os.path.realpath(p) for p in sys.path if p and os.path.isabs(p)]
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def allowed(path: str) -> bool:
        real = os.path.realpath(path)
        return any(real == root or real.startswith(root.rstrip("/") + "/") for root in roots)

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None))[:3]
            if isinstance(mode, str) and not ("r" in mode or "+" in mode):
                return  # writing (the output) is not reading
            if mode is None and isinstance(flags, int) and flags & os.O_ACCMODE == os.O_WRONLY:
                return
        elif event in ("os.listdir", "os.scandir"):
            path = args[0] if args and args[0] is not None else "."
        else:
            return
        if isinstance(path, int) or path is None:
            return  # an already open file descriptor
        path = os.fsdecode(path)
        if not os.path.isabs(path):
            path = os.path.join(os.getcwd(), path)
        if not allowed(path):
            log.write(json.dumps({"event": event, "path": path}) + "\n")

    sys.addaudithook(hook)
    sys.argv = ["kubemap", *argv]
    from converter.cli.app import main as kubemap

    kubemap()


if __name__ == "__main__":
    main()

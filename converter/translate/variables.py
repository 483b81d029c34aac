"""Unset variables: Compose interpolates them as "" with a warning that is easy to miss; kubemap
reports every place one was used, next to the other findings."""

from __future__ import annotations

from converter.translate.context import Context
from converter.model.bundle import UNSET_VARIABLE
from converter.translate.rules import rule


@rule("R-VAR-01", "${VAR} without a value → \"\" (reported with where it is used)", keys=())
def report_unset_variables(ctx: Context) -> None:
    """A `${VAR}` or `$VAR` without a default whose variable is set nowhere (`.env`,
    `--env-file`, `--use-shell-env`) becomes an empty string, as in Compose: an empty password,
    `image: postgres:`, a path `${CONFIG}/web` that turns into `/web`. Compose prints one line
    per variable; kubemap reports every place it was used (key path, file and line), in
    `convert` and `report` alike, and `convert --strict` refuses to write anything. An image
    reference left with an empty name or tag is an error (R-IMAGE-01)."""
    for use in ctx.project.unset_variables:
        where = f"{use.file}:{use.line}" if use.line else use.file
        ctx.finding(UNSET_VARIABLE, use.key_path or use.file,
                    f"variable {use.name} is not set: an empty string was used ({where})",
                    f"set {use.name} in .env or an --env-file, or write a default: ${{{use.name}:-value}}")


def unset_names(ctx: Context, key_path: str) -> list[str]:
    """The unset variables used at `key_path` (for error messages)."""
    return sorted({u.name for u in ctx.project.unset_variables if u.key_path == key_path})

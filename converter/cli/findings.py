"""Findings as the CLI prints them: one line each on stderr (`severity CODE source: message
(hint)`), coloured by severity, and the counts for a command's summary line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from converter.cli.app import err_console

if TYPE_CHECKING:
    from converter.model import Finding

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def finding_line(finding: Finding) -> str:
    hint = f" ({finding.hint})" if finding.hint else ""
    return f"{finding.severity} {finding.code} {finding.source}: {finding.message}{hint}"


def print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        err_console.print(finding_line(finding), style=_SEVERITY_STYLE.get(finding.severity), markup=False,
                          soft_wrap=True)


def count(findings: list[Finding], severity: str) -> str:
    number = sum(1 for f in findings if f.severity == severity)
    return f"{number} {severity}{'' if number == 1 else 's'}"

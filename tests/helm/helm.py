"""Real Helm for the chart tests: the binary scripts/build-helm.sh builds from the Go module proxy
(cached in ~/.cache/kubemap), run in a throwaway HELM_* home so no user configuration or cache
takes part."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-helm.sh"


class HelmMissing(RuntimeError):
    """Helm could not be built; the message says why."""


def build_helm() -> Path:
    run = subprocess.run([str(BUILD_SCRIPT)], capture_output=True, text=True)
    if run.returncode != 0:
        raise HelmMissing(f"{BUILD_SCRIPT.name} failed (exit {run.returncode}):\n"
                          + "\n".join((run.stdout + run.stderr).splitlines()[-25:]))
    return Path(subprocess.run([str(BUILD_SCRIPT), "--print-path"], capture_output=True, text=True,
                               check=True).stdout.strip())


@dataclass(frozen=True)
class Helm:
    binary: Path
    home: Path

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "KUBECONFIG"))}
        env.update(HELM_CACHE_HOME=str(self.home / "cache"), HELM_CONFIG_HOME=str(self.home / "config"),
                   HELM_DATA_HOME=str(self.home / "data"), KUBECONFIG=str(self.home / "no-kubeconfig"))
        return env

    def run(self, *args: str | Path, kubeconfig: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = self.env()
        if kubeconfig is not None:
            env["KUBECONFIG"] = str(kubeconfig)
        return subprocess.run([str(self.binary), *map(str, args)], capture_output=True, text=True, env=env,
                              timeout=timeout)

    def ok(self, *args: str | Path, kubeconfig: Path | None = None, timeout: float = 300) -> str:
        result = self.run(*args, kubeconfig=kubeconfig, timeout=timeout)
        assert result.returncode == 0, f"helm {' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        return result.stdout

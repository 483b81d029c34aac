"""Connection to a cluster: kubeconfig loading and a small JSON-over-HTTPS client.

The official `kubernetes` package is used only to read kubeconfig files (contexts, client
certificates, tokens, exec plugins); requests go through urllib3 directly because server-side
apply, dry-run and discovery are plain REST calls and the generated client has no apply verb.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import urllib3
import yaml

from converter.errors import ClusterError

# Connection problems should surface quickly and as one line, not after urllib3's retries.
_TIMEOUT = urllib3.Timeout(connect=5.0, read=60.0)


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any]


class ApiError(ClusterError):
    """The API server answered with an error status; `status` and `body` keep the details."""

    def __init__(self, message: str, *, status: int, body: dict[str, Any], hint: str | None = None):
        super().__init__(message, hint=hint)
        self.status = status
        self.body = body


class Client:
    """JSON requests against one API server with the credentials of one kubeconfig context."""

    def __init__(self, host: str, pool: urllib3.PoolManager, auth_header: Any, context: str) -> None:
        self.host = host.rstrip("/")
        self.context = context
        self._pool = pool
        self._auth_header = auth_header  # callable returning the Authorization value or None

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> Response:
        raw = self._send(method, path, body=body, query=query, content_type=content_type)
        try:
            parsed = json.loads(raw.data) if raw.data else {}
        except ValueError:
            parsed = {"message": raw.data[:200].decode(errors="replace")}
        if not isinstance(parsed, dict):
            parsed = {"items": parsed}
        if raw.status >= 400:
            raise _api_error(method, path, raw.status, parsed, self)
        return Response(raw.status, parsed)

    def text(self, path: str, *, query: dict[str, str] | None = None) -> str:
        """GET a plain-text resource (a container's log)."""
        raw = self._send("GET", path, query=query, accept="*/*")
        if raw.status >= 400:
            try:
                parsed = json.loads(raw.data)
            except ValueError:
                parsed = {"message": raw.data[:200].decode(errors="replace")}
            raise _api_error("GET", path, raw.status, parsed if isinstance(parsed, dict) else {}, self)
        return str(raw.data.decode(errors="replace"))

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> Any:
        url = self.host + path + ("?" + urlencode(query) if query else "")
        headers = {"Accept": accept, "User-Agent": "kubemap"}
        token = self._auth_header()
        if token:
            headers["Authorization"] = token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        try:
            raw = self._pool.request(
                method, url, body=data, headers=headers, timeout=_TIMEOUT, retries=False
            )
        except urllib3.exceptions.SSLError as error:
            raise ClusterError(
                f"TLS error talking to the API server at {self.host}: {_short(error)}",
                hint="check the certificate-authority in your kubeconfig",
            ) from None
        except urllib3.exceptions.HTTPError as error:
            raise ClusterError(
                f"cannot reach the API server at {self.host} (context {self.context!r}): "
                f"{_short(error)}",
                hint="is the cluster running? check `--context` / `--kubeconfig`",
            ) from None
        return raw


def _short(error: Exception) -> str:
    # urllib3 wraps the root cause several times; the innermost reason is the readable part.
    reason = getattr(error, "reason", None)
    text = str(reason or error)
    return text.split(": ", 1)[-1] if "object at 0x" in text else text


def _api_error(method: str, path: str, status: int, body: dict[str, Any], client: Client) -> ApiError:
    message = str(body.get("message") or f"HTTP {status}")
    if status == 401:
        return ApiError(
            f"the API server at {client.host} rejected the credentials of context "
            f"{client.context!r} (401 Unauthorized)",
            status=status, body=body, hint="log in again or fix the user in your kubeconfig",
        )
    if status == 403:
        return ApiError(
            f"forbidden: {message}", status=status, body=body,
            hint=f"the user of context {client.context!r} lacks RBAC permission for this",
        )
    return ApiError(f"{method} {path}: {message}", status=status, body=body)


def connect(kubeconfig: str | None = None, context: str | None = None) -> Client:
    """A Client for the kubeconfig (explicit path, else $KUBECONFIG, else ~/.kube/config)."""
    paths = _kubeconfig_paths(kubeconfig)
    if not paths:
        raise ClusterError(
            "no kubeconfig found (looked at --kubeconfig, $KUBECONFIG and ~/.kube/config)",
            hint="pass --kubeconfig FILE or create a cluster, e.g. `make kind-up`",
        )
    static = static_credentials(paths, context)
    if static is not None:
        return static
    return _connect_with_kubernetes_library(paths, context)


def static_credentials(paths: list[str], context: str | None) -> Client | None:
    """Fast path for kubeconfigs with static credentials (token, client certificate, CA), the
    kind that kind, kubeadm and test clusters write: no import of the `kubernetes` package,
    which costs more than the requests of a small apply. Returns None for anything else
    (exec plugins, auth providers, basic auth), which the official loader handles."""
    merged: dict[str, Any] = {"clusters": [], "users": [], "contexts": []}
    for path in paths:  # first file wins for names and current-context, as kubectl does
        try:
            data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_yaml_loader()) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return None
        if not isinstance(data, dict):
            return None
        merged["current-context"] = merged.get("current-context") or data.get("current-context")
        for key in ("clusters", "users", "contexts"):
            merged[key] += [e for e in data.get(key) or [] if isinstance(e, dict)]
    name = context or merged.get("current-context")
    found_context = _named(merged["contexts"], name, "context")
    cluster = _named(merged["clusters"], found_context.get("cluster"), "cluster")
    user = _named(merged["users"], found_context.get("user"), "user", required=False)
    if set(user) - {"token", "tokenFile", "client-certificate", "client-certificate-data",
                    "client-key", "client-key-data"}:
        return None
    server = cluster.get("server")
    if not isinstance(server, str) or not server:
        raise ClusterError(f"kubeconfig: cluster {found_context.get('cluster')!r} has no server")
    base = Path(paths[0]).parent
    temp = Path(tempfile.mkdtemp(prefix="kubemap-kubeconfig-"))
    atexit.register(shutil.rmtree, temp, True)

    def file_of(data_key: str, file_key: str, entry: dict[str, Any]) -> str | None:
        # urllib3 wants files; *-data values are written to a private temp folder.
        if entry.get(data_key):
            target = temp / data_key
            target.write_bytes(base64.b64decode(entry[data_key]))
            target.chmod(0o600)
            return str(target)
        if entry.get(file_key):
            return str((base / entry[file_key]).expanduser())
        return None

    token = user.get("token")
    if not token and user.get("tokenFile"):
        token = (base / user["tokenFile"]).expanduser().read_text().strip()
    insecure = bool(cluster.get("insecure-skip-tls-verify"))
    pool = urllib3.PoolManager(
        num_pools=4, maxsize=16,
        cert_reqs="CERT_NONE" if insecure else "CERT_REQUIRED",
        ca_certs=file_of("certificate-authority-data", "certificate-authority", cluster),
        cert_file=file_of("client-certificate-data", "client-certificate", user),
        key_file=file_of("client-key-data", "client-key", user),
        server_hostname=cluster.get("tls-server-name"),
    )
    if insecure:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    header = f"Bearer {token}" if token else None
    return Client(server, pool, lambda: header, str(name))


def _yaml_loader() -> Any:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _named(entries: list[dict[str, Any]], name: Any, what: str, required: bool = True) -> dict[str, Any]:
    for entry in entries:
        if entry.get("name") == name:
            return dict(entry.get(what) or {})
    if not required:
        return {}
    if name is None:
        raise ClusterError("kubeconfig has no current-context", hint="pass --context NAME")
    known = ", ".join(sorted(str(e.get("name")) for e in entries)) or "none"
    raise ClusterError(f"kubeconfig has no {what} named {name!r} (known: {known})",
                       hint="check --context and the kubeconfig")


def _connect_with_kubernetes_library(paths: list[str], context: str | None) -> Client:
    # Imported here, not at the top: the package costs more than a small apply, and the static
    # credentials path above never needs it. Only the cluster package imports kubernetes.
    from kubernetes import config as kube_config
    from kubernetes.client import Configuration
    from kubernetes.config.config_exception import ConfigException

    configuration = Configuration()
    try:
        loader = kube_config.kube_config._get_kube_config_loader(  # noqa: SLF001 - merged configs
            filename=os.pathsep.join(paths), active_context=context
        )
        loader.load_and_set(configuration)
        context_name = context or loader.current_context["name"]
    except ConfigException as error:
        raise ClusterError(f"kubeconfig {', '.join(paths)}: {error}",
                           hint="check the file and the --context name") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ClusterError(f"kubeconfig {', '.join(paths)} cannot be read: {error}") from None

    def auth_header() -> str | None:
        return configuration.get_api_key_with_prefix("BearerToken", alias="authorization")

    pool = urllib3.PoolManager(
        num_pools=4,
        maxsize=16,
        cert_reqs="CERT_REQUIRED" if configuration.verify_ssl else "CERT_NONE",
        ca_certs=configuration.ssl_ca_cert,
        cert_file=configuration.cert_file,
        key_file=configuration.key_file,
        assert_hostname=configuration.assert_hostname,
        server_hostname=configuration.tls_server_name,
    )
    if not configuration.verify_ssl:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return Client(configuration.host, pool, auth_header, context_name)


def _kubeconfig_paths(explicit: str | None) -> list[str]:
    if explicit:
        if not Path(explicit).is_file():
            raise ClusterError(f"kubeconfig {explicit} does not exist",
                               hint="pass an existing file to --kubeconfig")
        return [explicit]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [p for p in env.split(os.pathsep) if p and Path(p).is_file()]
    default = Path.home() / ".kube" / "config"
    return [str(default)] if default.is_file() else []

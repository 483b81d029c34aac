"""One Bundle object → one template document: the object as `kubemap convert` writes it, with
the fields the chart's values decide replaced by template nodes (tree.py).

What changes besides the values: every object gets Helm's standard labels (`helm.sh/chart`,
`app.kubernetes.io/instance`, `app.kubernetes.io/managed-by: Helm`, `app.kubernetes.io/version`)
instead of `managed-by: kubemap`, and its namespace from the release (or namespaceOverride).
Pod templates get only the instance and managed-by labels, so a new chart version alone
restarts nothing. Selectors, a StatefulSet's serviceName and claim-template names stay exactly
kubemap's: they are immutable, and nothing that changes between upgrades may reach them.

Jobs (one-shot Compose services) become `post-install,post-upgrade` hooks, deleted before they
are created again: a Job's pod template cannot change, and Compose re-runs a one-shot service
on every `up`. A Job that waits for another Job gets a higher hook weight, because Helm runs
hooks one after the other and waits for each.

PersistentVolumeClaims carry `helm.sh/resource-policy: keep`: `helm uninstall` leaves the data,
as `docker compose down` leaves named volumes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from converter.model.bundle import ManifestObject
from converter.model.kube import CLUSTER_SCOPED_KINDS
from converter.model.ownership import MANAGED_BY_LABEL
from converter.render.helm.plan import (
    PROBES,
    WORKLOAD_KINDS,
    ChartPlan,
    ClaimValues,
    ServiceValues,
    ref_of,
    split_image,
    template_path,
)
from converter.render.helm.tree import Block, Document, Expr, OptionalScalar, Splice, ToYaml, When

HOOK_ANNOTATIONS = {"helm.sh/hook": "post-install,post-upgrade",
                    "helm.sh/hook-delete-policy": "before-hook-creation"}
KEEP_ANNOTATION = {"helm.sh/resource-policy": "keep"}


class Templater:
    """Turns the objects of one Bundle into template documents, given the chart's values."""

    def __init__(self, plan: ChartPlan, chart: str) -> None:
        self.plan = plan
        self.chart = chart
        self.hook_weights = _hook_weights(plan.jobs_waited_for)

    def include(self, name: str, argument: str = "$") -> str:
        return f'include "{self.chart}.{name}" {argument}'

    def document(self, obj: ManifestObject) -> Document:
        body = copy.deepcopy(obj.body)
        self._metadata(body)
        condition = None
        kind = obj.kind
        if kind in WORKLOAD_KINDS:
            self._workload(obj, body)
        elif kind == "Service":
            self._service(obj, body)
        elif kind == "ConfigMap":
            self._configmap(obj, body)
        elif kind == "Secret":
            condition = self._secret(body)
        elif kind == "PersistentVolumeClaim":
            condition = self._claim(body)
        elif kind == "Ingress":
            condition = self._ingress(obj, body)
        elif kind == "RoleBinding":
            for subject in body.get("subjects") or []:
                if "namespace" in subject:
                    subject["namespace"] = Expr(f"{self.include('namespace')} | quote")
        return Document(body=body, condition=condition)

    # -- every object ----------------------------------------------------------------------
    def _metadata(self, body: dict[str, Any]) -> None:
        meta = body.setdefault("metadata", {})
        meta["labels"] = self._labels(meta.get("labels"), "labels")
        if body.get("kind") not in CLUSTER_SCOPED_KINDS:
            meta["namespace"] = Expr(f"{self.include('namespace')} | quote")

    def _labels(self, labels: dict[str, str] | None, helm_labels: str) -> dict[Any, Any]:
        """kubemap's labels but its managed-by, then Helm's (named template `helm_labels`)."""
        kept: dict[Any, Any] = {k: v for k, v in (labels or {}).items() if k != MANAGED_BY_LABEL}
        kept[Splice(self.include(helm_labels))] = None
        return kept

    # -- workloads -------------------------------------------------------------------------
    def _workload(self, obj: ManifestObject, body: dict[str, Any]) -> None:
        ref = ref_of(body)
        spec = body["spec"]
        sv = self.plan.services.get(obj.service or "")
        if sv is not None and sv.replicas is not None:
            spec["replicas"] = Expr(f"{sv.replicas.expr} | int")
        template = body
        for key in template_path(body):
            template = template[key]
        template_meta = template.setdefault("metadata", {})
        template_meta["labels"] = self._labels(template_meta.get("labels"), "podLabels")
        pod = template["spec"]
        if sv is not None and sv.pod:
            template_meta["annotations"] = ToYaml(sv.pod["podAnnotations"].expr)
            for key in ("nodeSelector", "tolerations", "affinity"):
                pod[key] = ToYaml(sv.pod[key].expr)
        if "imagePullSecrets" not in pod:
            pod["imagePullSecrets"] = ToYaml("$.Values.global.imagePullSecrets")
        for index, container in enumerate(pod.get("containers") or []):
            owner = self.plan.container_owner.get((ref, index))
            owner_values = self.plan.services.get(owner or "")
            if owner_values is not None and owner_values.image is not None:
                self._container(container, owner_values)
            else:
                container["image"] = self._image_of(str(container.get("image", "")), sv)
        for container in pod.get("initContainers") or []:
            container["image"] = self._image_of(str(container.get("image", "")), sv)
        self._references(pod)
        if obj.kind == "StatefulSet":
            for claim in spec.get("volumeClaimTemplates") or []:
                values = self.plan.claims.get((ref, claim["metadata"]["name"]))
                if values is not None:
                    claim["spec"] = self._claim_spec(claim.get("spec") or {}, values)
        if obj.kind == "Job":
            annotations = body["metadata"].setdefault("annotations", {})
            annotations.update(HOOK_ANNOTATIONS)
            annotations["helm.sh/hook-weight"] = str(self.hook_weights.get(obj.name, 0))

    def _container(self, container: dict[str, Any], sv: ServiceValues) -> None:
        assert sv.image is not None
        container["image"] = Expr(f"{self.include('image', f'(list $ {sv.image})')} | quote")
        container["imagePullPolicy"] = OptionalScalar(f"{sv.image}.pullPolicy")
        if sv.resources is not None:
            container["resources"] = ToYaml(sv.resources.expr)
        if sv.probes is not None:
            for probe in PROBES:
                if probe in container:
                    container[probe] = When(sv.probes.expr, container[probe])

    def _image_of(self, image: str, sv: ServiceValues | None) -> Expr:
        """An init container's (or unowned container's) image: the image value of the service
        that runs the same image (its own first), else the literal image under the global
        registry."""
        owner = sv if sv is not None and sv.image is not None and sv.image_string == image else None
        if owner is None and image in self.plan.images:
            owner = self.plan.services[self.plan.images[image]]
        if owner is not None and owner.image is not None:
            return Expr(f"{self.include('image', f'(list $ {owner.image})')} | quote")
        parts = split_image(image)
        literal = " ".join(f'"{k}" {_go_string(v)}' for k, v in parts.items())
        return Expr(f"{self.include('image', f'(list $ (dict {literal}))')} | quote")

    def _references(self, node: Any, parent: str = "") -> None:
        """Secret and claim names in a pod spec follow existingSecret / existingClaim."""
        if isinstance(node, list):
            for item in node:
                self._references(item, parent)
            return
        if not isinstance(node, dict):
            return
        for key, value in list(node.items()):
            if isinstance(value, str):
                secret = self.plan.secrets.get(value)
                if secret is not None and ((key == "secretName" and parent == "secret") or
                                           (key == "name" and parent in ("secretRef", "secretKeyRef", "secret"))):
                    node[key] = Expr(f'{secret.existing.expr} | default "{value}" | quote')
                claim = self.plan.claims.get((f"PersistentVolumeClaim/{value}", value))
                if claim is not None and claim.existing_claim is not None and key == "claimName":
                    node[key] = Expr(f'{claim.existing_claim.expr} | default "{value}" | quote')
            else:
                self._references(value, key)

    # -- storage ---------------------------------------------------------------------------
    def _claim_spec(self, spec: dict[str, Any], values: ClaimValues) -> dict[str, Any]:
        spec = dict(spec)
        spec["accessModes"] = ToYaml(values.access_modes.expr, omit_empty=False)
        resources = dict(spec.get("resources") or {})
        requests = dict(resources.get("requests") or {})
        requests["storage"] = Expr(f"{values.size.expr} | quote")
        resources["requests"] = requests
        spec["resources"] = resources
        if "storageClassName" in spec:
            spec["storageClassName"] = Expr(f"{values.storage_class.expr} | quote")
        else:
            spec["storageClassName"] = OptionalScalar(values.storage_class.expr)
        return spec

    def _claim(self, body: dict[str, Any]) -> str | None:
        name = body["metadata"]["name"]
        values = self.plan.claims.get((ref_of(body), name))
        body["metadata"].setdefault("annotations", {}).update(KEEP_ANNOTATION)
        if values is None:
            return None
        body["spec"] = self._claim_spec(body.get("spec") or {}, values)
        return f"not {values.existing_claim.expr}" if values.existing_claim is not None else None

    # -- services, config, secrets, ingress ----------------------------------------------
    def _service(self, obj: ManifestObject, body: dict[str, Any]) -> None:
        sv = self.plan.services.get(obj.service or "")
        if sv is None or sv.main_service != obj.name:
            return
        spec = body["spec"]
        type_value = sv.service_type
        if type_value is not None:
            typed = Expr(f"{type_value.expr} | quote")
            spec["type"] = typed if "type" in spec else When(f'ne {type_value.expr} "ClusterIP"', typed)
        if sv.service_ports is not None:
            ports = sv.service_ports.expr
            chosen = (f'(ternary (omit $port "nodePort") $port (eq {type_value.expr} "ClusterIP"))'
                      if type_value is not None else "$port")
            spec["ports"] = Block(_lines(
                f"{{{{- range $port := {ports} }}}}",
                f"- {{{{- toYaml {chosen} | nindent {{n2}} }}}}",
                "{{- end }}",
            ))

    def _configmap(self, obj: ManifestObject, body: dict[str, Any]) -> None:
        sv = self.plan.services.get(obj.service or "")
        if sv is None or sv.env is None or sv.env_configmap != obj.name:
            return
        body["data"] = Block(_lines(
            f"{{{{- range $key, $value := {sv.env.expr} }}}}",
            "{{ $key | quote }}: {{ $value | quote }}",
            "{{- end }}",
        ))

    def _secret(self, body: dict[str, Any]) -> str | None:
        secret = self.plan.secrets.get(body["metadata"]["name"])
        if secret is None:
            return None
        data = secret.data.expr
        checks = [
            f'{{{{- $_ := required "{secret.data.dotted}.{key} is required: the content of key {key} of Secret '
            f'{secret.name} (--set-file {secret.data.dotted}.{key}=FILE)" (index {data} "{key}") }}}}'
            for key in secret.keys
        ]
        body.pop("stringData", None)
        body.pop("binaryData", None)
        body["data"] = Block(_lines(
            *checks,
            f"{{{{- range $key, $value := {data} }}}}",
            "{{ $key | quote }}: {{ $value | b64enc | quote }}",
            "{{- end }}",
        ))
        return f"and (not {secret.existing.expr}) {data}"

    def _ingress(self, obj: ManifestObject, body: dict[str, Any]) -> str | None:
        sv = self.plan.services.get(obj.service or "")
        if sv is None or not sv.ingress:
            return None
        values = sv.ingress
        spec = body["spec"]
        body["metadata"]["annotations"] = ToYaml(values["annotations"].expr)
        if "ingressClassName" in spec:
            spec["ingressClassName"] = Expr(f"{values['className'].expr} | quote")
        else:
            spec["ingressClassName"] = OptionalScalar(values["className"].expr)
        backend = sv.main_service or obj.name
        spec["rules"] = Block(_lines(
            f"{{{{- range $host := {values['hosts'].expr} }}}}",
            "-",
            "  {{- with $host.host }}",
            "  host: {{ . | quote }}",
            "  {{- end }}",
            "  http:",
            "    paths:",
            "    {{- range $path := $host.paths }}",
            "    - backend:",
            "        service:",
            f"          name: {backend}",
            "          port:",
            "            number: {{ $path.port | int }}",
            "      path: {{ $path.path | quote }}",
            '      pathType: {{ $path.pathType | default "Prefix" | quote }}',
            "    {{- end }}",
            "{{- end }}",
        ))
        spec["tls"] = ToYaml(values["tls"].expr)
        return values["enabled"].expr


def _lines(*lines: str) -> Callable[[int], list[str]]:
    """Template lines for a Block, indented to where the block goes; `{n2}` in a line is that
    indentation + 2 (for nindent under a `-`)."""

    def render(indent: int) -> list[str]:
        pad = " " * indent
        return [pad + line.replace("{n2}", str(indent + 2)) for line in lines]

    return render


def _go_string(text: str) -> str:
    """A Go template string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hook_weights(waits: dict[str, list[str]]) -> dict[str, int]:
    """A Job's hook weight is the length of the longest chain of Jobs it waits for, so Helm
    (which runs hooks one by one, waiting for each) never starts a Job before those."""
    weights: dict[str, int] = {}

    def weight(job: str, seen: tuple[str, ...]) -> int:
        if job not in weights:
            deps = [d for d in waits.get(job, []) if d in waits and d not in seen]
            weights[job] = 1 + max((weight(d, (*seen, job)) for d in deps), default=-1)
        return weights[job]

    for job in sorted(waits):
        weight(job, ())
    return weights

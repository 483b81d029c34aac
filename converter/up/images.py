"""Images for `kubemap up`: built with Docker Compose's own build (so they get the names kubemap
gave them), and loaded into the kind node only when the node lacks them (compared by image ID,
so a rebuilt image is loaded again and an unchanged one never)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from converter.load.options import LoadOptions
from converter.model import Project
from converter.model.bundle import BuiltImage
from converter.up.kind import Cluster
from converter.up.process import ToolError, capture, run
from converter.up.progress import Reporter
from converter.up.tools import compose_command

POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


@dataclass(frozen=True)
class BuildPlan:
    """What `docker compose build` needs to see the project exactly as kubemap loaded it."""

    project_name: str
    project_directory: str
    files: list[str]
    env_files: list[str]
    profiles: list[str]
    services: list[str]  # the services with `build:`
    images: list[str]  # the names the manifests give their images
    # what Compose builds and the name the manifests use (another one with --registry)
    built: list[BuiltImage] = field(default_factory=list)

    @classmethod
    def of(cls, project: Project, load: LoadOptions, built: list[BuiltImage]) -> BuildPlan:
        """The build of a loaded project's `build:` services (`built`, from its Bundle), with the
        files, env files and profiles it was loaded with (`kubemap up` and `kubemap build`)."""
        return cls(
            project_name=project.name,
            project_directory=project.working_dir,
            files=list(project.files),
            env_files=[str(Path(load.cwd or ".", f).resolve()) for f in load.env_files],
            profiles=list(load.profiles),
            services=sorted({b.service for b in built}),
            images=sorted({b.deployed for b in built}),
            built=list(built),
        )


def compose_args(plan: BuildPlan) -> list[str]:
    args = ["-p", plan.project_name, "--project-directory", plan.project_directory]
    for file in plan.files:
        args += ["-f", file]
    for env_file in plan.env_files:
        args += ["--env-file", env_file]
    for profile in plan.profiles:
        args += ["--profile", profile]
    return args


def build(plan: BuildPlan, reporter: Reporter, again: str = "run kubemap up again") -> None:
    if not plan.services:
        return
    command = compose_command()
    with reporter.step(f"building {len(plan.services)} image(s) with docker compose build: {', '.join(plan.services)}"):
        run([*command, *compose_args(plan), "--progress", "plain", "build", *plan.services],
            what="docker compose build", on_line=reporter.output,
            hint=f"fix the build (the lines above are Compose's), then {again}")


def images_of(objects: list[dict[str, Any]]) -> list[str]:
    """Every image the objects' Pod templates name (init containers too), sorted."""
    images: set[str] = set()
    for obj in objects:
        spec = obj.get("spec") or {}
        if obj.get("kind") == "CronJob":
            spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
        elif obj.get("kind") not in POD_TEMPLATE_KINDS:
            continue
        pod = (spec.get("template") or {}).get("spec") or {}
        for container in (pod.get("initContainers") or []) + (pod.get("containers") or []):
            if container.get("image"):
                images.add(str(container["image"]))
    return sorted(images)


def normalize(reference: str) -> str:
    """An image reference as containerd stores it: registry, repository path and tag spelled out
    (`redis:7` -> `docker.io/library/redis:7`, `a/b` -> `docker.io/a/b:latest`)."""
    name, digest = (reference.split("@", 1) + [""])[:2]
    first, _, rest = name.partition("/")
    if not rest:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and not digest:
        name += ":latest"
    return f"{name}@{digest}" if digest else name


def local_image_ids(images: list[str]) -> dict[str, str]:
    """image -> ID, for the images the local Docker engine has."""
    found = {}
    for image in images:
        code, out = capture(["docker", "image", "inspect", "-f", "{{.Id}}", image])
        if code == 0 and out.strip():
            found[image] = out.strip()
    return found


def node_image_ids(cluster: Cluster, node: str) -> dict[str, str]:
    """normalized image name -> ID, for what containerd on the node has (crictl, as kind does)."""
    code, out = capture([cluster.provider, "exec", node, "crictl", "images", "-o", "json"], timeout=120)
    if code != 0:
        return {}
    ids = {}
    for image in (json.loads(out).get("images") or []):
        for tag in image.get("repoTags") or []:
            ids[normalize(tag)] = str(image.get("id", ""))
    return ids


class SavedInBackground:
    """`docker save` of images into a private archive, started at once so that it runs while kind
    creates the cluster (a new node lacks every image, so all of them will be loaded)."""

    def __init__(self, images: list[str]) -> None:
        self.images = sorted(images)
        self._folder = tempfile.TemporaryDirectory(prefix="kubemap-images-")
        self.archive = Path(self._folder.name) / "images.tar"
        self._process = subprocess.Popen(["docker", "save", "-o", str(self.archive), *self.images],
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                         errors="replace", stdin=subprocess.DEVNULL)

    def wait(self) -> Path:
        output, _ = self._process.communicate()
        if self._process.returncode != 0:
            raise ToolError(f"docker save failed (exit {self._process.returncode}): {output.strip()[-400:]}")
        return self.archive

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=15)
        self._folder.cleanup()


@dataclass(frozen=True)
class LoadResult:
    loaded: list[str]
    present: list[str]  # already on every node, same ID
    missing: list[str]  # neither local nor on the node: the node will try to pull them


def load_missing(cluster: Cluster, nodes: list[str], images: list[str], reporter: Reporter,
                 saved: SavedInBackground | None = None) -> LoadResult:
    """Load the images the nodes lack; `saved` is an archive already being written with exactly
    those images (a new cluster), used instead of saving them now."""
    local = local_image_ids(images)
    on_nodes = [node_image_ids(cluster, node) for node in nodes]
    stale, present, missing = [], [], []
    for image in images:
        if image not in local:
            if all(normalize(image) not in ids for ids in on_nodes):
                missing.append(image)
            else:
                present.append(image)
            continue
        if all(_same_id(ids.get(normalize(image), ""), local[image]) for ids in on_nodes):
            present.append(image)
        else:
            stale.append(image)
    if stale:
        with reporter.step(f"loading {len(stale)} image(s) into the node: {', '.join(stale)}"), \
                tempfile.TemporaryDirectory(prefix="kubemap-images-") as folder:
            if saved is not None and saved.images == sorted(stale):
                archive = saved.wait()
            else:
                archive = Path(folder) / "images.tar"
                run(["docker", "save", "-o", str(archive), *stale], what="docker save", on_line=reporter.output)
            run([cluster.kind, "load", "image-archive", "--name", cluster.name, str(archive)],
                what="kind load image-archive", env=cluster.env(), on_line=reporter.output)
    return LoadResult(stale, present, missing)


def _same_id(a: str, b: str) -> bool:
    return bool(a) and a.removeprefix("sha256:") == b.removeprefix("sha256:")

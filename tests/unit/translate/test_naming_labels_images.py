"""R-NAME-01, R-LABEL-01..03, R-IMAGE-01..03."""

from __future__ import annotations

import pytest

from converter.errors import TranslateError
from converter.model import Build, PortMapping
from converter.translate import TranslateOptions
from converter.translate.naming import dns_label

from .helpers import codes, has, main, obj, run, service, traces


@pytest.mark.parametrize(
    ("name", "label"),
    [
        pytest.param("my_db", "my-db", id="R-NAME-01-underscore"),
        pytest.param("Web.1", "web-1", id="R-NAME-01-dot-and-case"),
        pytest.param("-a--b-", "a-b", id="R-NAME-01-edge-dashes"),
        pytest.param("x" * 70, "x" * 63, id="R-NAME-01-trimmed-to-63"),
    ],
)
def test_dns_label(name, label):
    assert dns_label(name) == label


@pytest.mark.parametrize(
    "names",
    [pytest.param(("a_b", "a.b"), id="R-NAME-01-collision-underscore-dot"),
     pytest.param(("Api", "api"), id="R-NAME-01-collision-case")],
)
def test_collisions_are_errors_naming_both(names):
    with pytest.raises(TranslateError) as err:
        run(*(service(n, image="x") for n in names))
    assert all(repr(n) in str(err.value) for n in names)


def test_r_name_01_service_names_start_with_a_letter():
    bundle = run(service("1api", image="x", container_name="2db"))
    assert has(bundle, "Service", "s-1api") and has(bundle, "Service", "s-2db")
    assert "KM-W-RENAMED" in codes(bundle)


def test_r_name_01_renamed_service_is_reported():
    bundle = run(service("my_api", image="x"))
    assert has(bundle, "Deployment", "my-api") and "KM-W-RENAMED" in codes(bundle)


def test_r_name_01_object_name_clash_is_an_error():
    # ConfigMap "app-env" from the environment and a config named "app-env"
    from converter.model import FileObject, FileReference

    with pytest.raises(TranslateError, match="ConfigMap/app-env"):
        run(service("app", image="x", environment={"A": "1"}, configs=[FileReference(source="app-env")]),
            configs={"app-env": FileObject(name="app-env", content="x")})


def test_r_label_01_common_labels_and_selector():
    bundle = run(service("api", image="x"), name="Shop_Demo")
    for o in bundle.objects:
        labels = o.body["metadata"]["labels"]
        assert labels["app.kubernetes.io/managed-by"] == "kubemap"
        assert labels["kubemap.io/project"] == labels["app.kubernetes.io/part-of"] == "shop-demo"
    dep = obj(bundle, "Deployment", "api")
    assert dep["spec"]["selector"] == {"matchLabels": {"kubemap.io/service": "api"}}
    assert dep["spec"]["template"]["metadata"]["labels"]["kubemap.io/service"] == "api"


def test_namespace_puts_every_object_in_it_and_adds_the_namespace_object():
    """Old behaviour: render set the namespace a second time and labelled the Namespace it made
    with the raw project name (`part-of: my_shop`, every other object says `my-shop`)."""
    app = service("app", image="nginx", ports=[PortMapping(target=80)], environment={"MODE": "x"})
    bundle = run(app, name="my_shop", options=TranslateOptions(namespace="shop"))
    namespace = obj(bundle, "Namespace", "shop")
    assert namespace["metadata"] == {"name": "shop", "labels": {
        "app.kubernetes.io/managed-by": "kubemap", "app.kubernetes.io/part-of": "my-shop",
        "kubemap.io/project": "my-shop"}}
    others = [o for o in bundle.objects if o.kind != "Namespace"]
    assert others and {o.body["metadata"]["namespace"] for o in others} == {"shop"}
    assert {o.body["metadata"]["labels"]["app.kubernetes.io/part-of"] for o in bundle.objects} == {"my-shop"}
    assert bundle.namespace == "shop"
    assert not any(o.kind == "Namespace" for o in run(app).objects)


def test_an_invalid_namespace_name_is_a_user_error():
    with pytest.raises(TranslateError, match="--namespace 'Shop_1' is not a valid namespace name"):
        run(service("app", image="nginx"), options=TranslateOptions(namespace="Shop_1"))


def test_r_label_02_labels_valid_ones_labels_rest_annotations():
    bundle = run(service("api", image="x", labels={"com.example/team": "core", "description": "a long text!",
                                                   "bad key": "v"}))
    meta = obj(bundle, "Deployment", "api")["metadata"]
    assert meta["labels"]["com.example/team"] == "core"
    assert meta["annotations"] == {"description": "a long text!"}
    assert traces(bundle, "services.api.labels.bad key")[0].status == "unsupported"


def test_r_label_02_kubemap_labels_cannot_be_overridden():
    bundle = run(service("api", image="x", labels={"kubemap.io/service": "other"}))
    assert obj(bundle, "Deployment", "api")["spec"]["template"]["metadata"]["labels"]["kubemap.io/service"] == "api"
    assert traces(bundle, "services.api.labels.kubemap.io/service")[0].status == "unsupported"


def test_r_label_03_annotations():
    bundle = run(service("api", image="x", annotations={"example.com/a": "1"}))
    assert obj(bundle, "Deployment", "api")["spec"]["template"]["metadata"]["annotations"] == {"example.com/a": "1"}


@pytest.mark.parametrize(
    ("fields", "image", "policy"),
    [
        pytest.param({"image": "nginx:1.27"}, "nginx:1.27", None, id="R-IMAGE-01-image-kept"),
        pytest.param({"build": Build(context="/proj/api")}, "shop-api:latest", "IfNotPresent",
                     id="R-IMAGE-02-build-named-like-compose"),
        pytest.param({"build": Build(context="/proj/api"), "image": "reg/api:2"}, "reg/api:2", None,
                     id="R-IMAGE-02-build-with-image"),
        pytest.param({"image": "x", "pull_policy": "always"}, "x", "Always", id="R-IMAGE-03-always"),
        pytest.param({"image": "x", "pull_policy": "missing"}, "x", "IfNotPresent", id="R-IMAGE-03-missing"),
        pytest.param({"image": "x", "pull_policy": "daily"}, "x", "IfNotPresent", id="R-IMAGE-03-daily-approximated"),
    ],
)
def test_images(fields, image, policy):
    c = main(run(service("api", **fields), name="shop"), name="api")
    assert c["image"] == image and c.get("imagePullPolicy") == policy


@pytest.mark.parametrize(
    ("dockerfile", "target", "args", "base"),
    [
        pytest.param("FROM golang AS build\nFROM scratch\n", None, {}, "scratch", id="R-IMAGE-04-last-from"),
        pytest.param("FROM alpine AS base\nFROM base AS app\n", None, {}, "alpine", id="R-IMAGE-04-stage-by-name"),
        pytest.param("FROM scratch AS slim\nFROM debian AS full\n", "slim", {}, "scratch", id="R-IMAGE-04-build-target"),
        pytest.param("ARG BASE=gcr.io/distroless/static\nFROM --platform=linux/amd64 ${BASE}\n", None, {},
                     "gcr.io/distroless/static", id="R-IMAGE-04-arg-default"),
        pytest.param("ARG BASE\nFROM ${BASE}\n", None, {}, None, id="R-IMAGE-04-arg-without-value-unknown"),
        pytest.param("ARG BASE\nFROM ${BASE}\n", None, {"BASE": "scratch"}, "scratch", id="R-IMAGE-04-build-arg"),
    ],
)
def test_final_base_of_a_dockerfile(dockerfile, target, args, base):
    from converter.translate.images import final_base

    assert final_base(dockerfile, target, args) == base


@pytest.mark.parametrize(
    ("image", "shellless"),
    [
        pytest.param("gcr.io/distroless/static:nonroot", True, id="R-IMAGE-04-distroless"),
        pytest.param("gcr.io/distroless/base:debug", False, id="R-IMAGE-04-distroless-debug-has-a-shell"),
        pytest.param("docker.io/otel/opentelemetry-collector-contrib:0.100.0", True, id="R-IMAGE-04-otel-collector"),
        pytest.param("postgres:16", False, id="R-IMAGE-04-postgres-has-a-shell"),
    ],
)
def test_known_shellless_images(image, shellless):
    from converter.model.images import known_shellless

    assert (known_shellless(image) is not None) is shellless


@pytest.mark.parametrize(
    "image",
    [pytest.param("postgres:", id="R-IMAGE-01-empty-tag"), pytest.param("/app:1", id="R-IMAGE-01-empty-registry"),
     pytest.param("", id="R-IMAGE-01-empty-image")],
)
def test_image_with_empty_name_or_tag_is_an_error(image):
    """Old behaviour: `image: postgres:${TAG}` with TAG unset gave `postgres:` and no word."""
    from converter.errors import TranslateError
    from converter.model import VariableUse

    use = VariableUse(name="TAG", file="compose.yaml", line=3, key_path="services.db.image")
    with pytest.raises(TranslateError, match="empty name or tag") as error:
        run(service("db", image=image), unset_variables=[use])
    assert error.value.key_path == "services.db.image" and "TAG" in str(error.value)

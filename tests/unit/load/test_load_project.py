"""The whole loader on small projects written to a temp dir: file lookup, -f merging, env files,
COMPOSE_* variables, project names, include, extends, profiles, and the errors users see."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.errors import LoadError
from converter.load import resolved_config

from .helpers import load, load_text, write

WEB = "services:\n  web:\n    image: nginx\n"


# ---------------------------------------------------------------- file lookup


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        pytest.param(["compose.yaml"], ["compose.yaml"], id="compose-yaml"),
        pytest.param(["docker-compose.yml"], ["docker-compose.yml"], id="docker-compose-yml"),
        pytest.param(["compose.yaml", "docker-compose.yml"], ["compose.yaml"],
                     id="compose-yaml-preferred"),
        pytest.param(["compose.yml", "compose.override.yml"],
                     ["compose.yml", "compose.override.yml"], id="override-picked-up"),
        pytest.param(["docker-compose.yaml", "docker-compose.override.yaml"],
                     ["docker-compose.yaml", "docker-compose.override.yaml"],
                     id="docker-compose-override"),
    ],
)
def test_default_file_lookup(tmp_path: Path, names: list[str], expected: list[str]) -> None:
    write(tmp_path, {name: WEB for name in names})
    assert load(tmp_path).files == [str(tmp_path / n) for n in expected]


def test_two_candidate_files_warn(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB, "docker-compose.yml": WEB})
    assert any("using compose.yaml" in w for w in load(tmp_path).warnings)


def test_compose_profiles_from_dotenv(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB + "  dbg:\n    image: d\n    profiles: [debug]\n",
                     ".env": "COMPOSE_PROFILES=debug\n"})
    assert set(load(tmp_path).services) == {"web", "dbg"}


def test_lookup_walks_up_to_the_parent(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB})
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    project = load(tmp_path, cwd=str(tmp_path / "sub" / "deeper"))
    assert project.files == [str(tmp_path / "compose.yaml")]
    assert project.working_dir == str(tmp_path)


def test_no_compose_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no compose file found") as caught:
        load(tmp_path)
    assert "-f" in (caught.value.hint or "")


def test_compose_file_variable_with_separator(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": WEB, "b.yaml": "services:\n  web:\n    user: u\n"})
    project = load(tmp_path, environ={"COMPOSE_FILE": "a.yaml;b.yaml",
                                      "COMPOSE_PATH_SEPARATOR": ";"})
    assert project.services["web"].user == "u"
    assert len(project.files) == 2


def test_compose_file_variable_default_separator(tmp_path: Path) -> None:
    write(tmp_path, {"a.yaml": WEB, "b.yaml": "services:\n  web:\n    user: u\n"})
    project = load(tmp_path, environ={"COMPOSE_FILE": "a.yaml:b.yaml"})
    assert project.services["web"].user == "u"


def test_compose_file_from_dotenv(tmp_path: Path) -> None:
    write(tmp_path, {"x.yaml": WEB, ".env": "COMPOSE_FILE=x.yaml\n"})
    assert load(tmp_path).files == [str(tmp_path / "x.yaml")]


def test_missing_dash_f_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="not found"):
        load(tmp_path, files=["nope.yaml"])


def test_project_directory_sets_base_for_paths_and_env(tmp_path: Path) -> None:
    write(tmp_path, {
        "files/compose.yaml": "services:\n  web:\n    image: ${IMG}\n    volumes: [./d:/d]\n",
        "proj/.env": "IMG=from-proj-dir\n",
    })
    project = load(tmp_path, files=["files/compose.yaml"], project_directory="proj")
    assert project.working_dir == str(tmp_path / "proj")
    assert project.services["web"].image == "from-proj-dir"
    assert project.services["web"].volumes[0].source == str(tmp_path / "proj" / "d")


def test_override_file_paths_are_relative_to_the_project_dir(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": WEB,
        "over/extra.yaml": "services:\n  web:\n    volumes: [./data:/data]\n",
    })
    project = load(tmp_path, files=["compose.yaml", "over/extra.yaml"])
    assert project.services["web"].volumes[0].source == str(tmp_path / "data")


# ---------------------------------------------------------------- environment


def test_dotenv_is_used_and_shell_is_not(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: ${IMG}:${TAG:-1}\n",
                     ".env": "IMG=from-dotenv\n"})
    project = load(tmp_path, environ={"IMG": "from-shell", "TAG": "9"})
    assert project.services["web"].image == "from-dotenv:1"


def test_use_shell_env_wins_over_dotenv(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: ${IMG}:${TAG:-1}\n",
                     ".env": "IMG=from-dotenv\n"})
    project = load(tmp_path, environ={"IMG": "from-shell", "TAG": "9"}, use_shell_env=True)
    assert project.services["web"].image == "from-shell:9"


def test_several_env_files_later_wins(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: ${A}-${B}\n",
                     ".env": "A=dotenv\n", "one.env": "A=one\nB=one\n", "two.env": "B=two\n"})
    project = load(tmp_path, env_files=["one.env", "two.env"])
    assert project.services["web"].image == "one-two"  # .env is not read when --env-file is


def test_missing_env_file_flag(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": WEB})
    with pytest.raises(LoadError, match="env file .* not found"):
        load(tmp_path, env_files=["nope.env"])


def test_missing_required_variable_shows_its_message(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, "services:\n  web:\n    image: ${IMAGE:?set IMAGE to the tag}\n")
    err = caught.value
    assert "set IMAGE to the tag" in err.message
    assert (err.key_path, err.line) == ("services.web.image", 3)
    assert "--env-file" in (err.hint or "")


def test_unset_variable_warns(tmp_path: Path) -> None:
    project = load_text(tmp_path, "services:\n  web:\n    image: nginx:${TAG}\n")
    assert project.services["web"].image == "nginx:"
    assert any('"TAG" variable is not set' in w for w in project.warnings)


def test_dollar_dollar_survives_as_literal(tmp_path: Path) -> None:
    project = load_text(tmp_path, "services:\n  web:\n    image: x\n    command: echo $$HOME\n")
    assert project.services["web"].command == ["echo", "$HOME"]


def test_env_file_required_false_and_missing(tmp_path: Path) -> None:
    project = load_text(tmp_path, """
        services:
          web:
            image: x
            env_file:
              - path: ./absent.env
                required: false
    """)
    assert project.services["web"].env_files == []
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, "services:\n  web:\n    image: x\n    env_file: ./absent.env\n")
    assert caught.value.key_path == "services.web.env_file"
    assert "required: false" in (caught.value.hint or "")


def test_env_file_values_are_interpolated_from_the_project_env(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: x\n    env_file: s.env\n",
                     ".env": "HOST=db\n", "s.env": "URL=postgres://${HOST}/app\n"})
    assert load(tmp_path).services["web"].env_file_values == {"URL": "postgres://db/app"}


# ---------------------------------------------------------------- project name


@pytest.mark.parametrize(
    ("kwargs", "dotenv", "top_name", "expected"),
    [
        pytest.param({"project_name": "flag"}, "COMPOSE_PROJECT_NAME=envfile", "top", "flag",
                     id="flag-first"),
        pytest.param({"environ": {"COMPOSE_PROJECT_NAME": "shell"}}, "", "top", "shell",
                     id="shell-variable"),
        pytest.param({}, "COMPOSE_PROJECT_NAME=dotenv", "top", "dotenv", id="dotenv-variable"),
        pytest.param({}, "", "top", "top", id="top-level-name"),
        pytest.param({}, "N=interp", "${N}-x", "interp-x", id="top-level-name-interpolated"),
        pytest.param({}, "", None, "my_app-1", id="directory-name-normalised"),
    ],
)
def test_project_name_rules(tmp_path: Path, kwargs: dict, dotenv: str, top_name: str | None,
                            expected: str) -> None:
    root = tmp_path / "My_App-1!"
    root.mkdir()
    text = (f"name: {top_name}\n" if top_name else "") + WEB
    write(root, {"compose.yaml": text, ".env": dotenv + "\n"})
    assert load(root, **kwargs).name == expected


@pytest.mark.parametrize("bad", ["Upper", "-dash", "sp ace", "dot.ted"])
def test_invalid_project_name(tmp_path: Path, bad: str) -> None:
    write(tmp_path, {"compose.yaml": WEB})
    with pytest.raises(LoadError, match="not a valid project name"):
        load(tmp_path, project_name=bad)


def test_project_name_is_available_for_interpolation(tmp_path: Path) -> None:
    project = load_text(tmp_path, "name: shop\nservices:\n  web:\n    image: ${COMPOSE_PROJECT_NAME}-web\n")
    assert project.services["web"].image == "shop-web"


# ---------------------------------------------------------------- include


def test_include_short_and_long_forms(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": """
            include:
              - lib/db.yaml
              - path: [other/cache.yaml]
                project_directory: other
                env_file: other/vars.env
            services:
              web: {image: nginx, depends_on: [db, cache]}
        """,
        "lib/db.yaml": "services:\n  db:\n    image: postgres\n    volumes: [./data:/data]\n",
        "other/cache.yaml": "services:\n  cache:\n    image: redis:${TAG}\n",
        "other/vars.env": "TAG=7\n",
    })
    project = load(tmp_path)
    assert set(project.services) == {"web", "db", "cache"}
    assert project.services["db"].volumes[0].source == str(tmp_path / "lib" / "data")
    assert project.services["cache"].image == "redis:7"


def test_include_cycle(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "include: [b.yaml]\n" + WEB,
                     "b.yaml": "include: [compose.yaml]\nservices:\n  b: {image: b}\n"})
    with pytest.raises(LoadError, match="include cycle"):
        load(tmp_path)


def test_include_conflict(tmp_path: Path) -> None:
    write(tmp_path, {"compose.yaml": "include: [b.yaml]\n" + WEB,
                     "b.yaml": "services:\n  web: {image: other}\n"})
    with pytest.raises(LoadError, match="conflicts"):
        load(tmp_path)


# ---------------------------------------------------------------- extends


def test_extends_same_file_chain(tmp_path: Path) -> None:
    project = load_text(tmp_path, """
        services:
          base: {image: x, environment: {A: "1"}, ports: ["80:80"]}
          mid: {extends: base, environment: {B: "2"}}
          top: {extends: {service: mid}, environment: {A: "3"}, ports: ["81:81"]}
    """)
    top = project.services["top"]
    assert top.image == "x"
    assert top.environment == {"A": "3", "B": "2"}
    assert [p.target for p in top.ports] == [80, 81]
    assert "extends" not in top.keys


def test_extends_other_file_with_relative_paths(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": "services:\n  web:\n    extends: {file: common/base.yaml, service: app}\n",
        "common/base.yaml": "services:\n  app:\n    image: x\n    build: ./src\n",
    })
    web = load(tmp_path).services["web"]
    assert web.build is not None and web.build.context == str(tmp_path / "common" / "src")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("services:\n  a: {extends: b, image: x}\n  b: {extends: a}\n",
                     "extends cycle", id="cycle"),
        pytest.param("services:\n  a: {extends: a, image: x}\n", "extends cycle", id="self"),
        pytest.param("services:\n  a: {extends: missing, image: x}\n", "'missing' not found",
                     id="missing-service"),
        pytest.param("services:\n  a: {extends: {file: nope.yaml, service: b}, image: x}\n",
                     "not found", id="missing-file"),
        pytest.param("services:\n  a: {extends: {file: 'https://x/y.yaml', service: b}}\n",
                     "remote", id="remote-file"),
    ],
)
def test_extends_errors(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, text)
    assert words in str(caught.value)
    assert caught.value.key_path and caught.value.key_path.startswith("services.a.extends")


def test_reset_and_override_in_override_file(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": "services:\n  web:\n    image: x\n    ports: ['80:80']\n"
                        "    command: [a]\n    environment: {A: '1', B: '2'}\n",
        "compose.override.yaml": "services:\n  web:\n    ports: !override ['81:81']\n"
                                 "    command: !reset null\n    environment:\n      B: !reset\n",
    })
    web = load(tmp_path).services["web"]
    assert [p.published for p in web.ports] == ["81"]
    assert web.command is None
    assert web.environment == {"A": "1"}


# ---------------------------------------------------------------- profiles & dependencies

PROFILES = """
services:
  web: {image: web}
  debug: {image: d, profiles: [debug]}
  test_lib: {image: t, profiles: [test]}
  coverage: {image: c, profiles: [test], depends_on: [test_lib]}
"""


@pytest.mark.parametrize(
    ("kwargs", "active"),
    [
        pytest.param({}, {"web"}, id="none-enabled"),
        pytest.param({"profiles": ["debug"]}, {"web", "debug"}, id="flag"),
        pytest.param({"environ": {"COMPOSE_PROFILES": "test,debug"}},
                     {"web", "debug", "test_lib", "coverage"}, id="compose-profiles"),
        pytest.param({"profiles": ["*"]}, {"web", "debug", "test_lib", "coverage"}, id="star"),
    ],
)
def test_profiles(tmp_path: Path, kwargs: dict, active: set[str]) -> None:
    project = load_text(tmp_path, PROFILES, **kwargs)
    assert set(project.services) == active
    assert set(project.disabled_services) == {"web", "debug", "test_lib", "coverage"} - active


def test_dependency_on_a_disabled_service_is_an_error(tmp_path: Path) -> None:
    """The spec: a reference never enables a service that profiles disabled."""
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, """
            services:
              web: {image: w, depends_on: [db]}
              db: {image: d, profiles: [dev]}
        """)
    assert "disabled by its profiles (dev)" in caught.value.message
    assert "--profile dev" in (caught.value.hint or "")


def test_optional_dependency_on_a_disabled_service_is_fine(tmp_path: Path) -> None:
    project = load_text(tmp_path, """
        services:
          web: {image: w, depends_on: {db: {condition: service_started, required: false}}}
          db: {image: d, profiles: [dev]}
    """)
    assert project.disabled_services == ["db"]
    # kept, as Compose keeps it; the translator does not wait for a service it does not convert
    assert project.services["web"].depends_on["db"].required is False


@pytest.mark.parametrize(
    ("deps", "cycle"),
    [
        pytest.param({"a": ["a"]}, "a -> a", id="self"),
        pytest.param({"a": ["b"], "b": ["a"]}, "a -> b -> a", id="two"),
        pytest.param({"a": ["b"], "b": ["c"], "c": ["a"]}, "a -> b -> c -> a", id="three"),
    ],
)
def test_depends_on_cycles(tmp_path: Path, deps: dict[str, list[str]], cycle: str) -> None:
    text = "services:\n" + "".join(
        f"  {name}: {{image: x, depends_on: {targets}}}\n".replace("'", "")
        for name, targets in deps.items())
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, text)
    assert f"depends_on cycle: {cycle}" in caught.value.message


# ---------------------------------------------------------------- clear errors


@pytest.mark.parametrize(
    ("text", "words", "key_path", "line"),
    [
        pytest.param("", "empty", None, None, id="empty-file"),
        pytest.param("# only a comment\n", "empty", None, None, id="only-comments"),
        pytest.param("- a\n- b\n", "must be a mapping", None, 1, id="top-level-list"),
        pytest.param("web:\n  image: nginx\ndb:\n  image: pg\n", "legacy Compose v1", "web", 1,
                     id="legacy-v1"),
        pytest.param("services:\n  web:\n    image: x\n    prots: []\n", "did you mean 'ports'",
                     "services.web.prots", 4, id="unknown-key-suggestion"),
        pytest.param("services:\n  web:\n    image: x\n    xyzzy: 1\n", "unknown key 'xyzzy'",
                     "services.web.xyzzy", 4, id="unknown-key"),
        pytest.param("servics:\n  web: {image: x}\n", "did you mean 'services'", None, 1,
                     id="unknown-top-level-key"),
        pytest.param("services:\n  web:\n    image: [x]\n", "expected string",
                     "services.web.image", 3, id="wrong-type"),
        pytest.param("services:\n  web:\n    image: x\n    restart: 5\n", "expected string",
                     "services.web.restart", 4, id="wrong-type-number"),
        pytest.param("services:\n  web:\n", "null is not a valid value", "services.web", 2,
                     id="null-service"),
        pytest.param("services:\n  web: {build: {context: .}, image: x}\n"
                     "  b: {}\n", "neither an image nor a build", "services.b", 3,
                     id="no-image"),
        pytest.param("services:\n  web: {image: x, secrets: [s]}\n", "secret 's'",
                     "services.web.secrets[0]", 2, id="undefined-secret"),
        pytest.param("services:\n  web: {image: x}\n  web: {image: y}\n", "already defined",
                     None, 3, id="duplicate-service"),
    ],
)
def test_clear_errors(tmp_path: Path, text: str, words: str, key_path: str | None,
                      line: int | None) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, text)
    err = caught.value
    assert words in str(err)
    assert err.file == str(tmp_path / "compose.yaml")
    if key_path:
        assert err.key_path == key_path
    if line:
        assert err.line == line


def test_version_key_warns(tmp_path: Path) -> None:
    project = load_text(tmp_path, "version: '3.8'\n" + WEB)
    assert any("version" in w for w in project.warnings)


# ---------------------------------------------------------------- keys, sources, host paths


def test_keys_and_sources(tmp_path: Path) -> None:
    project = load_text(tmp_path, "services:\n  web:\n    image: x\n    ports:\n      - 80\n"
                                  "    environment:\n      A: b\n")
    web = project.services["web"]
    assert web.keys == ["image", "ports", "environment"]
    assert web.sources["image"].line == 3
    assert web.sources["ports[0]"].line == 5
    assert web.sources["environment.A"].line == 7
    assert web.sources["image"].file == str(tmp_path / "compose.yaml")


def test_host_paths(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": """
            services:
              web:
                image: x
                volumes:
                  - ./conf/nginx.conf:/etc/nginx.conf:ro
                  - ./html:/html
                  - ./big:/big
                  - ./absent:/absent
                configs: [app]
            configs:
              app: {file: ./app.ini}
        """,
        "conf/nginx.conf": "events {}\n",
        "html/index.html": "<h1>hi</h1>\n",
        "html/css/site.css": "body{}\n",
        "app.ini": "[x]\n",
    })
    (tmp_path / "big").mkdir()
    for i in range(70):
        (tmp_path / "big" / f"f{i}").write_text("x")
    paths = load(tmp_path).host_paths
    conf = paths[str(tmp_path / "conf/nginx.conf")]
    assert (conf.kind, conf.content, conf.size) == ("file", b"events {}\n", 10)
    html = paths[str(tmp_path / "html")]
    assert html.kind == "dir"
    assert html.entries == {"index.html": b"<h1>hi</h1>\n", "css/site.css": b"body{}\n"}
    assert paths[str(tmp_path / "big")].entries is None  # more than 64 files
    assert paths[str(tmp_path / "absent")].kind == "missing"
    assert paths[str(tmp_path / "app.ini")].content == b"[x]\n"


def test_resolved_config_is_long_syntax_and_sorted(tmp_path: Path) -> None:
    project = load_text(tmp_path, """
        name: demo
        services:
          web:
            image: nginx
            ports: ["8080:80"]
            volumes: [data:/data]
            depends_on: [db]
            healthcheck: {test: "true", interval: 90s}
          db: {image: postgres}
        volumes: {data: {}}
    """)
    config = resolved_config(project)
    web = config["services"]["web"]
    assert web["ports"] == [{"mode": "ingress", "protocol": "tcp", "published": "8080",
                             "target": 80}]
    assert web["volumes"] == [{"source": "data", "target": "/data", "type": "volume"}]
    assert web["depends_on"] == {"db": {"condition": "service_started", "required": True,
                                        "restart": False}}
    assert web["healthcheck"] == {"interval": "1m30s", "test": ["CMD-SHELL", "true"]}
    assert config["volumes"]["data"] == {"name": "demo_data"}
    assert config["networks"]["default"] == {"name": "demo_default"}
    assert list(config) == sorted(config)
    assert list(web) == sorted(web)


def test_schema_problems_are_all_collected(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, "services:\n  a:\n    image: [x]\n  b:\n    image: y\n    scale: [1]\n"
                            "    portz: []\n")
    problems = caught.value.problems  # type: ignore[attr-defined]
    assert [p.key_path for p in problems][0] in {"services.a.image", "services.b.portz",
                                                  "services.b.scale"}
    assert {p.key_path for p in problems} == {"services.a.image", "services.b.scale",
                                              "services.b.portz"}
    assert "2 more problems" in str(caught.value)


def test_env_file_format_is_refused_clearly(tmp_path: Path) -> None:
    write(tmp_path, {"x.env": "A=1\n"})
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, "services:\n  a:\n    image: x\n    env_file:\n"
                            "      - path: x.env\n        format: props\n")
    assert caught.value.key_path == "services.a.env_file[0].format"
    assert caught.value.line == 6


def test_included_env_does_not_override_the_parent(tmp_path: Path) -> None:
    write(tmp_path, {
        "compose.yaml": "include: [sub/compose.yaml]\nservices:\n  web: {image: \"w:${TAG}\"}\n",
        ".env": "TAG=parent\n",
        "sub/compose.yaml": "services:\n  api: {image: \"a:${TAG}-${ONLY_SUB}\"}\n",
        "sub/.env": "TAG=child\nONLY_SUB=s\n",
    })
    project = load(tmp_path)
    assert project.services["web"].image == "w:parent"
    assert project.services["api"].image == "a:parent-s"


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        pytest.param('["myhost:::1"]', {"myhost": ["::1"]}, id="ipv6-colon"),
        pytest.param('["myhost=::1"]', {"myhost": ["::1"]}, id="ipv6-equals"),
        pytest.param("{a: [1.1.1.1, 2.2.2.2]}", {"a": ["1.1.1.1", "2.2.2.2"]}, id="map-list"),
    ],
)
def test_extra_hosts_forms(tmp_path: Path, hosts: str, expected: dict) -> None:
    project = load_text(tmp_path, f"services:\n  a:\n    image: x\n    extra_hosts: {hosts}\n")
    assert project.services["a"].extra_hosts == expected


def test_problems_in_several_services_are_all_collected(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_text(tmp_path, "services:\n  a:\n    image: x\n    ports: [abc]\n"
                            "  b:\n    build: .\n    mem_limit: lots\n  c: {command: x}\n")
    problems = caught.value.problems  # type: ignore[attr-defined]
    assert [p.key_path for p in problems] == ["services.a.ports[0]", "services.b.mem_limit",
                                              "services.c"]
    assert "2 more problems" in str(caught.value)

"""The depends_on rule both the loader (on the compose tree, to point at the line) and the
translator (on a Project, which tests also build by hand) apply: services must not wait on each
other in a circle, Compose refuses to start one. One algorithm, so both name the same cycle."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def depends_on_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """The first cycle in `graph` (service -> the services it depends on, in the order written),
    as the path that closes it (`["a", "b", "a"]`; a service depending on itself included), or
    None. Services are visited in name order; dependencies outside the graph are ignored."""
    edges = {name: list(deps) for name, deps in graph.items()}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in edges[node]:
            if dep not in edges:
                continue
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep]
            if dep not in state and (cycle := visit(dep, [*path, dep])):
                return cycle
        state[node] = 2
        return None

    for name in sorted(edges):
        if name not in state and (cycle := visit(name, [name])):
            return cycle
    return None

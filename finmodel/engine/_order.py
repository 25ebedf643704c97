"""The order rows are evaluated in: strongly connected components of the graph, dependencies
first (Tarjan's algorithm, iterative so a long timeline cannot exhaust the stack)."""

from __future__ import annotations

from ._ir import Graph


def evaluation_order(graph: Graph) -> list[list[str]]:
    """Rows grouped into strongly connected components, dependencies first.

    A component of one row without a self-reference can be evaluated as a whole array; a
    larger component (or a row that reads its own earlier columns) is a recurrence and is
    stepped column by column. A cycle without a lag is an error in the model definition. The
    order is kept on the graph until a row is added.
    """
    if graph._order is None:
        graph._order = _components(graph)
    return graph._order


def _components(graph: Graph) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    edges = {name: sorted({dep for dep, _ in graph.dependencies(row)}) for name, row in graph.rows.items()}
    for name, deps in edges.items():
        for dep in deps:
            if dep not in graph.rows:
                raise ValueError(f"row {name!r} reads undefined row {dep!r}")

    counter = 0
    for root in graph.rows:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_position = work.pop()
            if child_position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = edges[node]
            descended = False
            while child_position < len(children):
                child = children[child_position]
                child_position += 1
                if child not in index:
                    work.append((node, child_position))
                    work.append((child, 0))
                    descended = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if descended:
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(_order_within(graph, component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _order_within(graph: Graph, component: list[str]) -> list[str]:
    """Order a component's rows by their same-column (lag 0) dependencies."""
    members = set(component)
    if len(component) == 1:
        return component
    same_column = {
        name: {dep for dep, lag in graph.dependencies(graph.rows[name]) if lag == 0 and dep in members}
        for name in component
    }
    ordered: list[str] = []
    done: set[str] = set()
    pending = sorted(component, key=list(graph.rows).index)
    while pending:
        ready = [name for name in pending if same_column[name] <= done]
        if not ready:
            raise ValueError(f"rows {sorted(pending)} depend on each other in the same column")
        for name in ready:
            ordered.append(name)
            done.add(name)
        pending = [name for name in pending if name not in done]
    return ordered


def is_recurrence(graph: Graph, component: list[str]) -> bool:
    if len(component) > 1:
        return True
    name = component[0]
    return any(dep == name for dep, _ in graph.dependencies(graph.rows[name]))

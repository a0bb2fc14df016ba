"""Small graph helpers: dependency order with cycle paths, and reachability."""

from __future__ import annotations

from collections import deque
from typing import Iterable, Mapping


def find_cycle(deps: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle in ``deps`` (node -> nodes it depends on) as a path whose first and last
    element are the same node (``['a', 'b', 'a']``), or None.  Deterministic: nodes are
    visited in sorted order so the same profile always reports the same path."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in deps}
    for start in sorted(deps):
        if colour[start] != WHITE:
            continue
        # Iterative DFS: a long dependency chain must not hit Python's recursion limit.
        stack: list[tuple[str, list[str]]] = [(start, sorted(d for d in deps[start] if d in deps))]
        path = [start]
        colour[start] = GREY
        while stack:
            node, todo = stack[-1]
            if not todo:
                colour[node] = BLACK
                stack.pop()
                path.pop()
                continue
            nxt = todo.pop(0)
            if colour[nxt] == GREY:
                return path[path.index(nxt):] + [nxt]
            if colour[nxt] == WHITE:
                colour[nxt] = GREY
                path.append(nxt)
                stack.append((nxt, sorted(d for d in deps[nxt] if d in deps)))
    return None


def topological_order(deps: Mapping[str, Iterable[str]]) -> list[str]:
    """Nodes ordered so each comes after what it depends on (ties in sorted order).
    Assumes no cycle (check ``find_cycle`` first)."""
    remaining = {n: {d for d in ds if d in deps} for n, ds in deps.items()}
    users: dict[str, set[str]] = {n: set() for n in deps}
    for n, ds in remaining.items():
        for d in ds:
            users[d].add(n)
    ready = sorted(n for n, ds in remaining.items() if not ds)
    order: list[str] = []
    while ready:
        n = ready.pop(0)
        order.append(n)
        for u in sorted(users[n]):
            remaining[u].discard(n)
            if not remaining[u]:
                ready.append(u)
        ready.sort()
    return order


def reachable(start: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen

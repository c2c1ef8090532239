"""The exact 0/1 knapsack behind :func:`~safety_collab.exchange.select_portfolio` (private).

Dynamic programming over cost (with coverage states when priorities must be
covered) while the table fits :data:`DP_CELLS`; otherwise depth-first branch
and bound with the Dantzig bound.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from safety_collab.errors import PortfolioError

__all__ = ["DP_CELLS", "check_coverable", "knapsack", "min_covers", "money"]

DP_CELLS = 1 << 27
"""Largest dynamic programme (items x budget units x coverage states) solved as such."""

_COVER_CHECK = 10
"""Up to this many priorities, coverability is checked up front by an exact set-cover search."""

_TOLERANCE = 1e-9
"""Branch and bound ignores improvements of the total score smaller than this."""


def money(amount: int) -> str:
    return f"£{amount:,}"


def min_covers(
    costs: Sequence[int], masks: Sequence[int], full: int
) -> dict[int, tuple[int, tuple[int, ...]]]:
    """The cheapest items covering exactly each mask, ``{mask: (cost, items)}`` (set cover)."""
    cheapest: dict[int, tuple[int, int]] = {}
    for i, (c, raw) in enumerate(zip(costs, masks, strict=True)):
        m = raw & full
        if m and (m not in cheapest or c < cheapest[m][0]):
            cheapest[m] = (c, i)
    best: dict[int, tuple[int, tuple[int, ...]]] = {0: (0, ())}
    for m, (c, i) in sorted(cheapest.items()):
        for s, (cost, items) in list(best.items()):
            t = s | m
            if t != s and (t not in best or cost + c < best[t][0]):
                best[t] = (cost + c, (*items, i))
    return best


def check_coverable(
    ids: Sequence[str],
    costs: Sequence[int],
    masks: Sequence[int],
    wanted: Sequence[str],
    budget: int,
) -> None:
    full = (1 << len(wanted)) - 1
    addressed = 0
    for c, m in zip(costs, masks, strict=True):
        if c <= budget:
            addressed |= m
    head = f"cannot cover every priority within the budget of {money(budget)}: "
    missing = [p for k, p in enumerate(wanted) if not addressed >> k & 1]
    if missing:
        nobody = [p for k, p in enumerate(wanted) if not any(m >> k & 1 for m in masks)]
        if nobody == missing:
            why = f"no proposal addresses {', '.join(missing)}"
        else:
            why = f"no proposal within the budget addresses {', '.join(missing)}"
        raise PortfolioError(head + why, uncovered=missing)
    if len(wanted) > _COVER_CHECK:
        return  # too many to check jointly here; the search finds out
    covers = min_covers(costs, masks, full)
    if covers.get(full, (budget + 1,))[0] <= budget:
        return
    affordable = [(m, c) for m, (c, _) in covers.items() if c <= budget]
    best_mask, best_cost = max(affordable, key=lambda mc: (bin(mc[0]).count("1"), -mc[1], -mc[0]))
    uncovered = [p for k, p in enumerate(wanted) if not best_mask >> k & 1]
    covered = [p for k, p in enumerate(wanted) if best_mask >> k & 1]
    full_cost, items = covers[full]
    why = (
        f"at most {len(covered)} of the {len(wanted)} priorities can be covered together "
        f"({', '.join(covered) or 'none'}, for {money(best_cost)}), so "
        f"{', '.join(uncovered)} cannot be covered as well; the cheapest proposals covering "
        f"all of them ({', '.join(ids[i] for i in items)}) cost "
        f"{money(full_cost)}"
    )
    raise PortfolioError(head + why, uncovered=uncovered)


def knapsack(
    costs: Sequence[int], values: Sequence[float], masks: Sequence[int], budget: int, need: int
) -> tuple[list[int] | None, str]:
    """Indices of the best affordable set covering ``need`` (None if none can), and the method."""
    n = len(costs)
    free = [i for i in range(n) if costs[i] == 0 and (values[i] > 0 or masks[i] & need)]
    covered = 0
    for i in free:
        covered |= masks[i]
    rest = [
        i
        for i in range(n)
        if 0 < costs[i] <= budget and (values[i] > 0 or (need and masks[i] & need & ~covered))
    ]
    need_rest = need & ~covered
    if sum(costs[i] for i in rest) <= budget:
        return free + rest, "everything fits"
    c = [costs[i] for i in rest]
    v = [values[i] for i in rest]
    m = [masks[i] & need_rest for i in rest]
    chosen, method = _solve(c, v, m, budget, 0)
    if need_rest:
        got = 0
        for k in chosen:
            got |= m[k]
        if got & need_rest != need_rest:
            chosen, method = _solve(c, v, m, budget, need_rest)
            got = 0
            for k in chosen:
                got |= m[k]
            if got & need_rest != need_rest or sum(c[k] for k in chosen) > budget:
                return None, method  # only with more priorities than checked up front
    return free + [rest[k] for k in chosen], method


def _solve(
    c: Sequence[int], v: Sequence[float], m: Sequence[int], budget: int, need: int
) -> tuple[list[int], str]:
    g = 0
    for x in c:
        g = math.gcd(g, x)
    units = min(budget // g, sum(c) // g)
    bits = need.bit_count()
    states = 1 << bits
    # bits per cell: one per item and capacity; with coverage, a state index per covered set
    per = 8 * _state_bytes(states) * states if need else 1
    cells = len(c) * (units + 1) * per
    if cells <= DP_CELLS:
        w = [x // g for x in c]
        if need:
            compact = _compact_masks(m, need)
            return _dp_cover(w, v, compact, units, states - 1), "dynamic programming"
        return _dp(w, v, units), "dynamic programming"
    return _branch_and_bound(c, v, m, budget, need), "branch and bound"


def _state_bytes(states: int) -> int:
    """Bytes needed to store a covered-set index plus one (0 means "not taken")."""
    return 1 if states < 1 << 8 else 2 if states < 1 << 16 else 4


def _compact_masks(masks: Sequence[int], need: int) -> list[int]:
    positions = [k for k in range(need.bit_length()) if need >> k & 1]
    return [sum(1 << j for j, k in enumerate(positions) if mask >> k & 1) for mask in masks]


def _dp(w: Sequence[int], v: Sequence[float], units: int) -> list[int]:
    """0/1 knapsack by dynamic programming over capacity; one bit per item and capacity."""
    n = len(w)
    best = np.zeros(units + 1)
    took = np.zeros((n, (units + 8) // 8), dtype=np.uint8)
    row = np.zeros(units + 1, dtype=bool)
    for i in range(n):
        wi = w[i]
        if wi > units:
            continue
        cand = best[: units + 1 - wi] + v[i]
        better = cand > best[wi:]
        best[wi:] = np.where(better, cand, best[wi:])
        row[:wi] = False
        row[wi:] = better
        took[i] = np.packbits(row)
    chosen = []
    cap = units
    for i in range(n - 1, -1, -1):
        if took[i, cap >> 3] >> (7 - (cap & 7)) & 1:
            chosen.append(i)
            cap -= w[i]
    return chosen[::-1]


def _dp_cover(
    w: Sequence[int], v: Sequence[float], m: Sequence[int], units: int, full: int
) -> list[int]:
    """Knapsack that must cover every bit of ``full``: states are (covered set, capacity)."""
    n = len(w)
    states = full + 1
    best = np.full((states, units + 1), -np.inf)
    best[0] = 0.0
    kind = {1: np.uint8, 2: np.uint16, 4: np.uint32}[_state_bytes(states)]
    source = np.zeros((n, states, units + 1), dtype=kind)
    for i in range(n):
        wi = w[i]
        if wi > units:
            continue
        new = best.copy()
        for s in range(states):
            if best[s, units] == -np.inf:
                continue
            t = s | m[i]
            cand = best[s, : units + 1 - wi] + v[i]
            better = cand > new[t, wi:]
            if better.any():
                new[t, wi:] = np.where(better, cand, new[t, wi:])
                source[i, t, wi:][better] = s + 1
        best = new
    chosen = []
    state, cap = full, units
    for i in range(n - 1, -1, -1):
        s = int(source[i, state, cap])
        if s:
            chosen.append(i)
            state, cap = s - 1, cap - w[i]
    return chosen[::-1]


def _branch_and_bound(
    c: Sequence[int], v: Sequence[float], m: Sequence[int], budget: int, need: int
) -> list[int]:
    """Depth-first branch and bound with the Dantzig bound, items by decreasing value per pound."""
    order = sorted(range(len(c)), key=lambda i: (-v[i] / c[i], c[i], i))
    cost = [c[i] for i in order]
    value = [v[i] for i in order]
    mask = [m[i] for i in order]
    ratio = [value[k] / cost[k] for k in range(len(order))]
    n = len(order)
    pc = [0] * (n + 1)
    pv = [0.0] * (n + 1)
    for k in range(n):
        pc[k + 1] = pc[k] + cost[k]
        pv[k + 1] = pv[k] + value[k]
    reach = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        reach[k] = reach[k + 1] | mask[k]

    # a first solution: the greedy one (or, to cover, a cheapest cover filled greedily)
    taken: set[int] | None = set()
    spent = 0
    if need:
        covers = min_covers(cost, mask, need) if need.bit_count() <= _COVER_CHECK else {}
        cover = covers.get(need)
        taken = set(cover[1]) if cover is not None and cover[0] <= budget else None
        spent = cover[0] if taken is not None and cover is not None else 0
    best_path: tuple[Any, ...] | None = None
    if taken is None:  # no cover known yet: the search must find one
        best_value, best_set = -math.inf, []
    else:
        for k in range(n):
            if k not in taken and spent + cost[k] <= budget:
                taken.add(k)
                spent += cost[k]
        best_value, best_set = math.fsum(value[k] for k in taken), sorted(taken)

    right = bisect.bisect_right
    tol = _TOLERANCE
    stack: list[tuple[int, int, float, int, tuple[Any, ...] | None]] = [(0, budget, 0.0, 0, None)]
    while stack:
        k, cap, val, got, path = stack.pop()
        while k < n and cost[k] > cap:
            k += 1
        if val > best_value + tol and got & need == need:
            best_value, best_path, best_set = val, path, []
        if k == n or (got | reach[k]) & need != need:
            continue
        j = right(pc, pc[k] + cap) - 1
        bound = val + (pv[j] - pv[k])
        if j < n:
            bound += (cap - (pc[j] - pc[k])) * ratio[j]
        if bound <= best_value + tol:
            continue
        stack.append((k + 1, cap, val, got, path))
        stack.append((k + 1, cap - cost[k], val + value[k], got | mask[k], (k, path)))
    if best_path is not None:
        best_set = []
        node = best_path
        while node is not None:
            best_set.append(node[0])
            node = node[1]
    return sorted(order[k] for k in best_set)

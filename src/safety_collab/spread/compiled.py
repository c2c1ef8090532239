"""Compile a networkx graph once into CSR arrays that spread models run on.

Examples
--------
>>> import networkx as nx
>>> from safety_collab.spread import compile_graph
>>> g = compile_graph(nx.path_graph(["a", "b", "c"]), probability=0.5)
>>> g.n_nodes, g.n_edges, g.indices[g.indptr[1]:g.indptr[2]].tolist()
(3, 4, [0, 2])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from safety_collab._validate import (
    check_array,
    check_bool,
    check_instance,
    check_items,
    check_number,
    described,
    is_finite,
    is_number,
    short,
)
from safety_collab.errors import SpreadError, closest
from safety_collab.graphs import DEFAULT_TIE_SCALE
from safety_collab.model import Collaborative
from safety_collab.plugins import tie_table

if TYPE_CHECKING:
    import networkx as nx

    from safety_collab.plugins import PluginManager

__all__ = ["CompiledGraph", "compile_collaboration", "compile_graph", "tie_probability"]

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


class CompiledGraph:
    """A graph as CSR numpy arrays: the form spread models and seeding strategies use.

    Rows ``0 .. n_nodes - 1`` stand for the graph's nodes in :attr:`nodes`
    order. The out-neighbours of row ``i`` are ``indices[indptr[i]:indptr[i+1]]``
    (sorted) and ``weights`` holds each edge's weight: a transmission
    probability for the independent cascade, an influence weight for the linear
    threshold model. An undirected graph has both directions of each edge.
    Arrays are read-only. Pickling sends only the arrays and node ids (cheap, for
    executors); the id -> row index is rebuilt on demand.

    Build one with :func:`compile_graph`.

    Examples
    --------
    >>> import networkx as nx
    >>> g = compile_graph(nx.DiGraph([("a", "b")]), probability=0.2)
    >>> g.directed, g.rows(["b"]).tolist(), g.weights.tolist()
    (True, [1], [0.2])
    """

    __slots__ = ("_index", "directed", "indices", "indptr", "nodes", "weights")

    def __init__(
        self,
        nodes: Sequence[Hashable],
        indptr: npt.ArrayLike,
        indices: npt.ArrayLike,
        weights: npt.ArrayLike,
        *,
        directed: bool,
    ) -> None:
        self.nodes: tuple[Hashable, ...] = check_items("nodes", nodes, Hashable, error=SpreadError)
        n = len(self.nodes)
        ptr = check_array("indptr", indptr, ndim=1, lo=0.0, whole=True, error=SpreadError)
        self.indptr: IntArray = _readonly(ptr.astype(np.int64))
        self.indices: Int32Array = _readonly(_rows("indices", indices, n).astype(np.int32))
        self.weights: FloatArray = _readonly(
            check_array("weights", weights, ndim=1, finite=False, error=SpreadError)
        )
        self.directed = check_bool("directed", directed, error=SpreadError)
        self._index: dict[Hashable, int] | None = None
        if self.indptr.shape != (n + 1,) or self.indptr[0] != 0:
            msg = f"indptr: expected {n + 1} row pointers starting at 0"
            raise SpreadError(msg)
        if n and int(np.diff(self.indptr).min()) < 0:
            msg = "indptr: the row pointers must not decrease"
            raise SpreadError(msg)
        m = int(self.indptr[-1])
        if self.indices.shape != (m,) or self.weights.shape != (m,):
            msg = f"indices, weights: expected {m} entries each"
            raise SpreadError(msg)
        bad = np.flatnonzero(~np.isfinite(self.weights) | (self.weights < 0))
        if bad.size:
            e = int(bad[0])
            row = int(np.searchsorted(self.indptr, e, side="right") - 1)
            msg = (
                f"weight of edge ({self.nodes[row]!r}, {self.nodes[int(self.indices[e])]!r}) "
                f"is {self.weights[e]}; weights must be finite and >= 0"
            )
            raise SpreadError(msg)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (an undirected edge counts twice)."""
        return int(self.indptr[-1])

    @property
    def out_degree(self) -> IntArray:
        """Out-degree of each row."""
        return np.diff(self.indptr)

    @property
    def index(self) -> dict[Hashable, int]:
        """Node id -> row."""
        if self._index is None:
            self._index = {node: i for i, node in enumerate(self.nodes)}
        return self._index

    def rows(self, nodes: Iterable[Hashable], *, what: str = "seeds") -> Int32Array:
        """Rows of the given node ids, in order.

        Raises
        ------
        SpreadError
            If a node is not in the graph (the message lists the closest ids) or
            appears twice.

        Examples
        --------
        >>> import networkx as nx
        >>> g = compile_graph(nx.path_graph(["RRK", "RXK"]), probability=0.1)
        >>> g.rows(["RXK"]).tolist()
        [1]
        >>> g.rows(["RRX"])
        Traceback (most recent call last):
        ...
        safety_collab.errors.SpreadError: seeds: 'RRX' is not a node ... (closest: 'RRK', 'RXK')
        """
        out = []
        seen: set[int] = set()
        index = self.index
        for node in nodes:
            try:
                row = index[node]
            except (KeyError, TypeError):
                near = closest(str(node), [str(n) for n in self.nodes]) if self.n_nodes else []
                hint = f" (closest: {', '.join(map(repr, near))})" if near else ""
                msg = f"{what}: {node!r} is not a node of the graph{hint}"
                raise SpreadError(msg) from None
            if row in seen:
                msg = f"{what}: {node!r} is given twice"
                raise SpreadError(msg)
            seen.add(row)
            out.append(row)
        return np.asarray(out, dtype=np.int32)

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.nodes, self.indptr, self.indices, self.weights, self.directed)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        nodes, indptr, indices, weights, directed = state
        self.nodes, self.indptr, self.indices, self.weights = nodes, indptr, indices, weights
        self.directed = directed
        self._index = None

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"<CompiledGraph {kind}: {self.n_nodes} nodes, {self.n_edges} edges>"


def _rows(name: str, value: object, n: int) -> FloatArray:
    """A 1-d array of rows of a graph of ``n`` nodes (whole numbers in ``0 .. n - 1``)."""
    out = check_array(name, value, ndim=1, lo=0.0, whole=True, error=SpreadError)
    if out.size and out.max() >= n:
        msg = f"{name}: {short(int(out.max()))} is not a row of the graph ({n} nodes)"
        raise SpreadError(msg)
    return out


def tie_probability(scale: float = 1.0) -> Callable[[float], float]:
    """A mapping from tie weight to transmission probability: ``1 - exp(-scale * w)``.

    A tie of weight 0 transmits never; stronger ties transmit more, never surely.

    Examples
    --------
    >>> f = tie_probability(0.5)
    >>> round(f(2.0), 4)
    0.6321
    """
    if not is_number(scale) or not (is_finite(scale) and scale > 0):
        msg = f"scale: must be a positive number (got {scale!r})"
        raise SpreadError(msg)

    def probability(w: float) -> float:
        return -math.expm1(-scale * w)

    return probability


def compile_graph(
    G: nx.Graph[Any],
    *,
    probability: float | str | Callable[[float], float] | None = None,
    weight: str = "weight",
) -> CompiledGraph:
    """Compile a networkx graph (directed or not, weighted or not) into a :class:`CompiledGraph`.

    Parameters
    ----------
    G
        The graph. Nodes keep the order of ``G.nodes``.
    probability
        What each edge's weight array holds:

        * a number: that constant for every edge (e.g. ``0.05``);
        * a string: the name of an edge attribute holding each edge's value;
        * a callable: applied to each edge's ``weight`` attribute (default 1),
          e.g. :func:`tie_probability`;
        * ``None`` (default): the ``weight`` attribute itself (default 1).
          (:func:`~safety_collab.spread.simulate`, given a networkx graph that
          carries ``G.graph["tie_scale"]``, compiles it with
          ``tie_probability(tie_scale)`` instead.)
    weight
        The edge attribute read as the tie weight.

    Raises
    ------
    SpreadError
        For an empty graph, a missing or non-numeric attribute, NaN, an
        infinite or a negative value, or a constant outside [0, 1].

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph()
    >>> G.add_edge("RRK", "RXK", weight=2.0)
    >>> compile_graph(G, probability=tie_probability(0.5)).weights.round(4).tolist()
    [0.6321, 0.6321]
    """
    if not callable(getattr(G, "number_of_nodes", None)) or not callable(getattr(G, "edges", None)):
        msg = f"G: expected a networkx graph, got {described(G)}"
        raise SpreadError(msg)
    if G.number_of_nodes() == 0:
        msg = "graph: is empty; a spread needs at least one node"
        raise SpreadError(msg)
    nodes = list(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    directed = G.is_directed()
    src: list[int] = []
    dst: list[int] = []
    val: list[float] = []
    constant: float | None = None
    check: object = probability
    if isinstance(check, bool):
        msg = f"probability: expected a number, an attribute name or a function, got {check!r}"
        raise SpreadError(msg)
    if isinstance(probability, int | float):
        constant = float(probability)
        if not 0.0 <= constant <= 1.0:
            msg = f"probability: must be between 0 and 1 (got {probability!r})"
            raise SpreadError(msg)
    for a, b, data in G.edges(data=True):
        if isinstance(probability, str):
            if probability not in data:
                msg = f"edge ({a!r}, {b!r}): has no attribute {probability!r}"
                raise SpreadError(msg)
            raw = data[probability]
        elif constant is not None:
            raw = constant
        else:
            raw = data.get(weight, 1.0)
            if callable(probability):
                raw = probability(float(raw)) if isinstance(raw, int | float) else raw
        if isinstance(raw, bool) or not isinstance(raw, int | float | np.number):
            msg = f"edge ({a!r}, {b!r}): expected a number, got {raw!r}"
            raise SpreadError(msg)
        value = float(raw)
        if not math.isfinite(value) or value < 0:
            msg = f"edge ({a!r}, {b!r}): weight {value!r} must be finite and >= 0"
            raise SpreadError(msg)
        i, j = index[a], index[b]
        src.append(i)
        dst.append(j)
        val.append(value)
        if not directed and i != j:
            src.append(j)
            dst.append(i)
            val.append(value)
    return _from_edges(
        nodes,
        np.asarray(src, dtype=np.int64),
        np.asarray(dst, dtype=np.int32),
        np.asarray(val, dtype=np.float64),
        directed=directed,
    )


def _from_edges(
    nodes: Sequence[Hashable],
    src: IntArray,
    dst: Int32Array,
    val: FloatArray,
    *,
    directed: bool,
) -> CompiledGraph:
    """A compiled graph from its arcs (both directions of an undirected edge given)."""
    order = np.lexsort((dst, src))
    s, d, v = src[order], dst[order], val[order]
    indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=len(nodes)), out=indptr[1:])
    return CompiledGraph(nodes, indptr, d, v, directed=directed)


def compile_collaboration(
    collab: Collaborative,
    *,
    tie_scale: float = DEFAULT_TIE_SCALE,
    manager: PluginManager | None = None,
) -> CompiledGraph:
    """The collaboration graph compiled for simulation, straight from its ties.

    The same :class:`~safety_collab.spread.CompiledGraph` as
    ``compile_graph(collaboration_graph(collab), probability=tie_probability(tie_scale))``
    (same nodes in the same order, same arcs, same probabilities), built from
    the tie table (:func:`~safety_collab.plugins.tie_table`, which the
    networkx graph is built from too) without a networkx graph in between: on
    a national region of millions of ties the graph's Python objects are most
    of the time and memory, and a simulation needs none of them.

    Parameters
    ----------
    collab
        The collaborative.
    tie_scale
        How strongly a tie transmits: weight ``w`` becomes the probability
        ``1 - exp(-tie_scale * w)`` (> 0).
    manager
        The plugin manager to use; by default the shared one.

    Raises
    ------
    SpreadError
        If the collaborative has no members (the graph would be empty).
    ParameterError, PluginError
        For a ``tie_scale`` that is not a finite number > 0, or a tie plugin
        that fails or returns something invalid.

    Examples
    --------
    >>> import safety_collab as sc
    >>> from safety_collab.graphs import collaboration_graph
    >>> c = sc.west_midlands()
    >>> g = compile_collaboration(c, tie_scale=0.2)
    >>> h = compile_graph(collaboration_graph(c), probability=tie_probability(0.2))
    >>> g.nodes == h.nodes and (g.weights == h.weights).all() and (g.indices == h.indices).all()
    np.True_
    """
    check_instance("collab", collab, Collaborative)
    check_number("tie_scale", tie_scale, lo=0.0, lo_open=True)
    table = tie_table(collab, manager=manager)
    members = set(collab.member_ids)
    nodes = [org.id for org in collab.organisations if org.id in members]
    known = set(nodes)
    ids = table.ids
    ends = np.unique(np.concatenate([table.i, table.j])).tolist()
    if any(ids[k] not in known for k in ends):  # non-members a plugin tied: in pair order
        for a, b in zip(table.i.tolist(), table.j.tolist(), strict=True):
            for end in (ids[a], ids[b]):
                if end not in known:
                    known.add(end)
                    nodes.append(end)
    if not nodes:
        msg = "graph: is empty; a spread needs at least one node"
        raise SpreadError(msg)
    index = {org: k for k, org in enumerate(ids)}
    position = np.full(len(ids), -1, dtype=np.int64)
    position[[index[org] for org in nodes]] = np.arange(len(nodes))
    a, b = position[table.i], position[table.j]
    p = -np.expm1(-float(tie_scale) * table.weight)
    return _from_edges(
        nodes,
        np.concatenate([a, b]),
        np.concatenate([b, a]).astype(np.int32),
        np.concatenate([p, p]),
        directed=False,
    )

"""The built-in proposal-scoring criteria as a plugin of ``safety_collab_score_proposal``.

:class:`BuiltinScoring` (registered as ``scoring``) offers the criteria of
:class:`~safety_collab.exchange.criteria.BuiltinCriteria` (alignment,
evidence, reach and cost per organisation reached) for every
:class:`~safety_collab.exchange.Proposal`, scored with the plugin manager
that calls it. Objects other than proposals are not scored. Each instance has
its own reach cache, so no state is shared between managers.

Examples
--------
>>> from safety_collab.plugins import get_plugin_manager
>>> isinstance(get_plugin_manager().get_plugin("scoring"), BuiltinScoring)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from safety_collab.exchange.criteria import BuiltinCriteria
from safety_collab.exchange.proposals import Proposal
from safety_collab.hookspecs import Criterion, hookimpl

if TYPE_CHECKING:
    from safety_collab.model import Collaborative
    from safety_collab.plugins import PluginManager

__all__ = ["BuiltinScoring"]


@attrs.frozen(eq=False)
class BuiltinScoring(BuiltinCriteria):
    """The built-in criteria as a plugin (registered as ``scoring``).

    Scores only :class:`~safety_collab.exchange.Proposal` objects (anything
    else gets no built-in criterion), with the tie rules and spread models of
    the manager that calls it. To change its weights or settings for good,
    register another instance in its place; to drop or reweight a criterion
    for one ranking, pass ``weights`` to :func:`~safety_collab.exchange.score`
    or :func:`~safety_collab.exchange.rank`.

    Parameters
    ----------
    weights, reach, reference_cost, cache
        As for :class:`~safety_collab.exchange.criteria.BuiltinCriteria`; all
        have defaults, and the cache is one per instance.

    Examples
    --------
    >>> BuiltinScoring(weights={"reach": 2.0}).weights["reach"]
    2.0
    >>> BuiltinScoring(weights={"reac": 2.0})
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: BuiltinScoring.weights: no built-in criterion 'reac';
    did you mean 'reach'? (built-in: alignment, cost-per-organisation, evidence, reach)
    """

    @hookimpl
    def safety_collab_score_proposal(
        self, proposal: object, collaborative: Collaborative, manager: PluginManager
    ) -> tuple[Criterion, ...] | None:
        """Score a proposal on the built-in criteria (other objects: no criteria).

        Examples
        --------
        >>> import safety_collab as sc
        >>> pm = sc.plugins.get_plugin_manager()
        >>> BuiltinScoring().safety_collab_score_proposal("an idea", sc.west_midlands(), pm) is None
        True
        """
        if not isinstance(proposal, Proposal):
            return None
        return self.criteria(proposal, collaborative, manager=manager)

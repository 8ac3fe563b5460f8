"""The filter-impact audit: does a filtering stage remove the documents of some groups more often?

Reads ledger rows (`status`, `stage`, `flags`, `identity_groups`); writes nothing to documents and
drops nothing. The manifest builder calls `audit_filter_impact` on the finished ledger.

Definitions:

- The population is every document that is not an `error` (errors were never scored).
- A document is *removed by* stage S when its `flags` hold a verdict `S:<reason>`. Flags record
  every rule a document failed, so each stage is measured on its own, whatever its place in the
  chain, and the audit also works in annotate mode, where nothing is rejected but every verdict
  is flagged. Rows without flags fall back to `status == rejected and stage == S`.
- For every stage that removes at least one document: its overall removal rate is removed /
  population; for every identity group mentioned by at least one document: `docs` (documents
  mentioning the group), `removed` (those removed by the stage), `removal_rate` (removed / docs)
  and `ratio` (removal_rate / the stage's overall removal rate).
- A group is *marked* at a stage when `docs >= min_docs` and `ratio > max_ratio`: the stage
  removes that group's documents more than `max_ratio` times as often as documents overall.
  A mark warns, or fails the build when the config says so (`BiasAuditSettings.fail`).

A high ratio is a question, not a verdict: a group can be mentioned mostly in pages a filter
rightly removes (spam lists of slurs, for instance). It says where to look.

Version history: 1 - flag-based removal, ratio to the stage's overall rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from schemas.toxicity import BiasAuditSettings

VERSION = "1"


@dataclass(frozen=True)
class StageRemoval:
    stage: str
    docs: int
    removed: int
    removal_rate: float


@dataclass(frozen=True)
class GroupRemoval:
    stage: str
    group: str
    docs: int
    removed: int
    removal_rate: float
    stage_removal_rate: float
    ratio: float
    over_limit: bool


@dataclass(frozen=True)
class FilterImpactAudit:
    max_ratio: float
    min_docs: int
    fail: bool
    stages: tuple[StageRemoval, ...]
    groups: tuple[GroupRemoval, ...]

    @property
    def marks(self) -> tuple[GroupRemoval, ...]:
        return tuple(g for g in self.groups if g.over_limit)

    def messages(self) -> list[str]:
        """One sentence per mark, naming the stage and the group (no document content)."""
        return [
            f"stage '{m.stage}' removes {m.removal_rate:.1%} of the {m.docs} documents mentioning "
            f"{m.group}, {m.ratio:.2f} times its overall rate of {m.stage_removal_rate:.1%} "
            f"(limit {self.max_ratio:g})"
            for m in self.marks
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for the manifest."""
        return {
            "max_ratio": self.max_ratio,
            "min_docs": self.min_docs,
            "fail": self.fail,
            "stages": [asdict(s) for s in self.stages],
            "groups": [asdict(g) for g in self.groups],
            "marks": [{"stage": m.stage, "group": m.group} for m in self.marks],
        }


def removing_stages(row: Mapping[str, Any]) -> set[str]:
    """The stages that removed this ledger row (see the module docstring)."""
    flags = row.get("flags") or []
    if flags:
        return {flag.split(":", 1)[0] for flag in flags}
    if row.get("status") == "rejected" and row.get("stage"):
        return {row["stage"]}
    return set()


def audit_filter_impact(
    rows: Iterable[Mapping[str, Any]],
    settings: BiasAuditSettings,
    stage_order: Sequence[str] = (),
) -> FilterImpactAudit:
    """Removal rates per stage and identity group over ledger rows (dicts as in the ledger).

    Stages are listed in `stage_order` first (the pipeline's order), then any others by name.
    """
    population = 0
    removed_by_stage: Counter[str] = Counter()
    docs_by_group: Counter[str] = Counter()
    removed_by_stage_group: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row.get("status") == "error":
            continue
        population += 1
        groups = set(row.get("identity_groups") or [])
        docs_by_group.update(groups)
        for stage in removing_stages(row):
            removed_by_stage[stage] += 1
            removed_by_stage_group.update((stage, group) for group in groups)

    position = {name: i for i, name in enumerate(stage_order)}
    ordered = sorted(removed_by_stage, key=lambda s: (position.get(s, len(position)), s))
    stages = tuple(
        StageRemoval(s, population, removed_by_stage[s], removed_by_stage[s] / population)
        for s in ordered
    )
    group_rows = []
    for summary in stages:
        for group in sorted(docs_by_group):
            docs = docs_by_group[group]
            removed = removed_by_stage_group[(summary.stage, group)]
            rate = removed / docs
            ratio = rate / summary.removal_rate
            group_rows.append(
                GroupRemoval(
                    stage=summary.stage,
                    group=group,
                    docs=docs,
                    removed=removed,
                    removal_rate=rate,
                    stage_removal_rate=summary.removal_rate,
                    ratio=ratio,
                    over_limit=docs >= settings.min_docs and ratio > settings.max_ratio,
                )
            )
    return FilterImpactAudit(
        max_ratio=settings.max_ratio,
        min_docs=settings.min_docs,
        fail=settings.fail,
        stages=stages,
        groups=tuple(group_rows),
    )

"""Categorieënanalyse: which item domains (e.g. Getallen, Verhoudingen) lag behind the total.

The rule, stated on the page too: a domain *lags behind* when its share of correct answers is
at least :data:`PUPIL_GAP` percentage points (one pupil) or :data:`GROUP_GAP` points (the
group, where chance evens out) below the share correct on the whole test, and the domain has
at least :data:`MIN_ITEMS` items (fewer items say too little). Correct counts per pupil and
domain are summed in SQL; the comparison is arithmetic on those sums.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import CompoundSelect, Select, bindparam, case, func, select

from plugin.db import prepared
from plugin.extensions import db
from plugin.models import Administration, ItemResponse, Pupil, Test, TestItem
from reports.services import group_pupil_ids

PUPIL_GAP = 15.0
GROUP_GAP = 10.0
MIN_ITEMS = 3


@dataclass
class Tally:
    correct: int = 0
    items: int = 0

    @property
    def percentage(self) -> float | None:
        return 100.0 * self.correct / self.items if self.items else None

    def add(self, correct: int, items: int) -> None:
        self.correct += correct
        self.items += items


@dataclass
class Profile:
    """Domain tallies of one pupil (or a whole group) on one test."""

    domains: dict[str, Tally] = field(default_factory=dict)

    @property
    def total(self) -> Tally:
        tally = Tally()
        for domain in self.domains.values():
            tally.add(domain.correct, domain.items)
        return tally

    def gap(self, domain: str) -> float | None:
        share, total = self.domains[domain].percentage, self.total.percentage
        return None if share is None or total is None else share - total

    def lagging(self, threshold: float) -> list[str]:
        return [
            name
            for name, tally in self.domains.items()
            if tally.items >= MIN_ITEMS and (self.gap(name) or 0.0) <= -threshold
        ]


@dataclass(frozen=True)
class TestOption:
    administration_id: int
    test_code: str
    test_name: str
    school_year: int


PupilScope = Literal["pupil", "group"]
"""Whose answers: one pupil (the pupil report) or a group's pupils (the category analysis)."""


def _scope_pupils(scope: PupilScope) -> Select | CompoundSelect:
    scope_id = bindparam("scope_id")
    if scope == "pupil":
        return select(Pupil.id).where(Pupil.id == scope_id)
    return group_pupil_ids(scope_id)


def category_tests(scope: PupilScope, scope_id: int) -> list[TestOption]:
    """Administrations with item responses of the pupil or the group's pupils, newest first."""
    rows = db.session.execute(_category_tests_query(scope), {"scope_id": scope_id})
    return [TestOption(r.id, r.code, r.name, r.school_year) for r in rows]


@prepared
def _category_tests_query(scope: PupilScope) -> Select:
    pupil_ids = _scope_pupils(scope)
    return (
        select(Administration.id, Test.code, Test.name, Administration.school_year)
        .join(Test, Test.id == Administration.test_id)
        .where(
            Administration.id.in_(
                select(ItemResponse.administration_id).where(ItemResponse.pupil_id.in_(pupil_ids))
            )
        )
        .order_by(Administration.school_year.desc(), Administration.taken_on.desc(), Test.code)
    )


def profiles(
    administration_ids: list[int], scope: PupilScope, scope_id: int
) -> dict[tuple[int, int], Profile]:
    """Per (administration, pupil) the correct answers per domain, summed in SQL."""
    rows = db.session.execute(
        _profiles_query(scope),
        {"scope_id": scope_id, "administration_ids": list(administration_ids)},
    )
    result: dict[tuple[int, int], Profile] = defaultdict(Profile)
    for row in rows:
        result[(row.administration_id, row.pupil_id)].domains[row.domain] = Tally(
            int(row.correct), int(row.items)
        )
    return dict(result)


@prepared
def _profiles_query(scope: PupilScope) -> Select:
    correct = func.sum(case((ItemResponse.correct.is_(True), 1), else_=0))
    return (
        select(
            ItemResponse.administration_id, ItemResponse.pupil_id, TestItem.domain,
            correct.label("correct"), func.count(ItemResponse.id).label("items"),
        )
        .join(TestItem, TestItem.id == ItemResponse.item_id)
        .where(
            ItemResponse.administration_id.in_(bindparam("administration_ids", expanding=True)),
            ItemResponse.pupil_id.in_(_scope_pupils(scope)), TestItem.domain.is_not(None),
        )
        .group_by(ItemResponse.administration_id, ItemResponse.pupil_id, TestItem.domain)
        .order_by(TestItem.domain)
    )  # fmt: skip


def group_profile(pupil_profiles: list[Profile]) -> Profile:
    combined = Profile()
    for profile in pupil_profiles:
        for name, tally in profile.domains.items():
            combined.domains.setdefault(name, Tally()).add(tally.correct, tally.items)
    return combined

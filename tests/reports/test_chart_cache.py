"""On a real page the second load takes the chart from the cache; changed data redraws it."""

from __future__ import annotations

import functools

from sqlalchemy import select

from plugin.extensions import cache, db
from plugin.models import Result
from reports import charts


def test_group_chart_is_drawn_once_per_data(client, world, as_teacher, monkeypatch):
    cache.clear()
    calls = []
    original = charts.level_distribution

    @functools.wraps(original)  # the cache key includes the function's name
    def counting(**data):
        calls.append((data["counts"], data.get("narrow", False)))
        return original(**data)

    monkeypatch.setattr(charts, "level_distribution", counting)
    url = f"/rapportages/groep/{world.group.id}"
    client.get(url)
    client.get(url)
    first = [1, 0, 1, 1, 1]
    assert calls == [(first, False), (first, True)]  # wide and for a phone, then from the cache
    result = db.session.scalars(
        select(Result).where(
            Result.pupil_id == world.pupils["Cor"].id, Result.administration_id == world.e5.id
        )
    ).one()
    result.ability_score = 150.0  # Cor moves from level V to III
    db.session.flush()
    client.get(url)
    changed = [1, 0, 2, 1, 0]
    assert calls == [(first, False), (first, True), (changed, False), (changed, True)]

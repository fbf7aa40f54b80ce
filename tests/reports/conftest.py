"""A hand-computed school: every number the reports show is worked out in the docstrings.

Subject "Rekenen (toets)" (domain rekenen). National reference (invented):
  M5: mean 140, sd 10, cuts 130/137/143/150.   E5: mean 150, sd 10, cuts 140/147/153/160,
  growth sd 4.   M8: mean 170, sd 12, cuts 160/167/173/180.
Growth model (plugin.growth, STABILITY 0.9): expected end = mean_E5 + 0.9 * z * sd_E5.

Groep 5 (2025), M5 → E5:
  Anna   140 → 150: z 0,  expected growth 10,  growth 10  → naar,  E5 level III
  Bas    150 → 162: z 1,  expected growth 9,   growth 12  → boven (0,75 sd), level I
  Cor    130 → 131: z -1, expected growth 11,  growth 1   → onder, level V, stalls
  Dirk   145 → 144: z .5, expected growth 9,5, growth -1  → onder, level IV, stalls
  Eva    138 → (absent at E5)
  E5 median of 131/144/150/162 = 147; their M5 median of 130/140/145/150 = 142,5;
  E5 levels I 1, II 0, III 1, IV 1, V 1; median growth of 10/12/1/-1 = 5,5.
  M5: 140 III, 150 I, 130 IV, 145 II, 138 III; median 140.
Groep 8 (2025) at M8: 150, 165, 176, 180 with cuts 1F 160, 2F/1S 175 → 1F 3/4 = 75 %,
  2F/1S 2/4 = 50 %. Goals rekenen 1F 95 (not reached), 2F/1S 50 (reached). Signaling 1F 85,
  2F/1S 54 for weging 26–32 (the school has 30), 45 for 32–40.
Category analysis (E5, 6 items: 1–3 Getallen, 4–6 Meten): Anna 3/3 + 1/3 → Meten 33,3 %
  against 66,7 % total: lags. Bas 6/6: nothing lags. Group: Getallen 100 %, Meten 66,7 %,
  total 83,3 % → Meten 16,7 points below: lags for the group (threshold 10).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from plugin.auth import Role
from plugin.extensions import db
from plugin.models import (
    GoalIndicator,
    ItemResponse,
    Moment,
    NationalReference,
    ReferenceIndicator,
    ReferenceLevelCut,
    SchoolGoal,
    SignalingValue,
    StaffRole,
    TestItem,
)
from tests.factories import (
    GroupFactory,
    PupilFactory,
    SchoolFactory,
    StaffFactory,
    SubjectFactory,
    ToetsFactory,
    administer,
    enrol,
    link_teacher,
    record_result,
)

REFS = {
    ("M", 5): (140, 10, (130, 137, 143, 150), None),
    ("E", 5): (150, 10, (140, 147, 153, 160), 4.0),
    ("M", 8): (170, 12, (160, 167, 173, 180), 3.0),
}


@dataclass
class World:
    school: object
    subject: object
    group: object
    group8: object
    pupils: dict
    teacher: object
    ib: object
    m5: object
    e5: object


def _reference(subject) -> dict:
    tests = {}
    for (moment, level), (mean, sd, cuts, growth_sd) in REFS.items():
        db.session.add(
            NationalReference(
                subject_id=subject.id, moment=Moment(moment), level=level, mean=mean, sd=sd,
                p20=cuts[0], p40=cuts[1], p60=cuts[2], p80=cuts[3], growth_sd=growth_sd,
                typical_growth=None if growth_sd is None else 10.0,
            )
        )  # fmt: skip
        tests[(moment, level)] = ToetsFactory(
            subject=subject, moment=Moment(moment), level=level, code=f"rt-{moment}{level}"
        )
    for indicator, score in ((ReferenceIndicator.F1, 160), (ReferenceIndicator.F2_S1, 175)):
        db.session.add(
            ReferenceLevelCut(subject_id=subject.id, indicator=indicator, min_score=score)
        )
    db.session.add_all([
        SignalingValue(indicator=ReferenceIndicator.F1, percentage=85, national_average=96),
        SignalingValue(indicator=ReferenceIndicator.F2_S1, weging_from=26, weging_to=32,
                       percentage=54, national_average=59),
        SignalingValue(indicator=ReferenceIndicator.F2_S1, weging_from=32, weging_to=40,
                       percentage=45, national_average=59),
    ])  # fmt: skip
    db.session.flush()
    return tests


def _items(test, admin, pupils) -> None:
    items = [
        TestItem(test_id=test.id, number=n, correct_answer="A",
                 domain="Getallen" if n <= 3 else "Meten")
        for n in range(1, 7)
    ]  # fmt: skip
    db.session.add_all(items)
    db.session.flush()
    answers = {"Anna": [1, 1, 1, 1, 0, 0], "Bas": [1, 1, 1, 1, 1, 1]}
    for name, marks in answers.items():
        for item, mark in zip(items, marks, strict=True):
            db.session.add(
                ItemResponse(administration_id=admin.id, pupil_id=pupils[name].id,
                             item_id=item.id, correct=bool(mark))
            )  # fmt: skip
    db.session.flush()


@pytest.fixture
def world() -> World:
    school = SchoolFactory(schoolweging=30.0)
    subject = SubjectFactory(
        name="Rekenen (toets)", code="rekenen-toets", reference_domain="rekenen"
    )
    tests = _reference(subject)
    group = GroupFactory(school=school, name="Groep 5", school_year=2025, leerjaar=5)
    group8 = GroupFactory(school=school, name="Groep 8", school_year=2025, leerjaar=8)
    m5 = administer(group, tests[("M", 5)])
    e5 = administer(group, tests[("E", 5)])
    scores = {"Anna": (140, 150), "Bas": (150, 162), "Cor": (130, 131), "Dirk": (145, 144),
              "Eva": (138, None)}  # fmt: skip
    pupils = {}
    for name, (mid, end) in scores.items():
        pupil = PupilFactory(school=school, display_name=name)
        enrol(pupil, group)
        record_result(pupil, m5, mid)
        if end is not None:
            record_result(pupil, e5, end)
        pupils[name] = pupil
    m8 = administer(group8, tests[("M", 8)])
    for index, score in enumerate((150, 165, 176, 180)):
        pupil = PupilFactory(school=school, display_name=f"Achtste {index}")
        enrol(pupil, group8)
        record_result(pupil, m8, score, leerjaar=8)
    _items(tests[("E", 5)], e5, pupils)
    for indicator, target in ((GoalIndicator.SHARE_1F, 95), (GoalIndicator.SHARE_2F_1S, 50)):
        db.session.add(SchoolGoal(school_id=school.id, school_year=2025, domain="rekenen",
                                  indicator=indicator, target=target))  # fmt: skip
    teacher = StaffFactory(school=school)
    link_teacher(teacher, group)
    ib = StaffFactory(school=school, role=StaffRole.IB)
    db.session.flush()
    return World(school, subject, group, group8, pupils, teacher, ib, m5, e5)


@pytest.fixture
def as_ib(login, world):
    return login(role=Role.IB, school=world.school, staff=world.ib)


@pytest.fixture
def as_teacher(login, world):
    return login(role=Role.LEERKRACHT, school=world.school, staff=world.teacher)

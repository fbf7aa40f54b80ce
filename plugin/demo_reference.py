"""Synthetic reference content for the demo: subjects, tests, answer keys, conversion tables,
national reference values, reference-level cut scores and signaling values.

Everything is invented on a DEMO scale (*fictieve demogegevens*): no Cito norms, items or cut
scores. The demo content pack (``instructions/packs/demo``) is generated from the same formulas,
so both always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plugin.extensions import db
from plugin.levels import Cuts
from plugin.models import (
    ConversionRow,
    Moment,
    NationalReference,
    ReferenceIndicator,
    ReferenceLevelCut,
    SignalingValue,
    Subject,
    Test,
    TestItem,
    TestMode,
)

DEMO_SOURCE = "synthetic demo (DEMO scale, no Cito norms)"

# Mean per moment on the invented DEMO scale (DOMAIN.md §5); SD widens slightly with age.
MOMENT_MEANS: dict[str, float] = {
    "M3": 100, "E3": 114, "M4": 125, "E4": 134, "M5": 142, "E5": 149,
    "M6": 155, "E6": 160, "M7": 165, "E7": 169, "B8": 171, "M8": 174,
}  # fmt: skip
MOMENT_ORDER = list(MOMENT_MEANS)


@dataclass(frozen=True)
class SubjectSpec:
    code: str
    name: str
    reference_domain: str | None
    offset: float
    mode: TestMode
    item_domains: tuple[str, ...] = ()


SUBJECTS = (
    SubjectSpec(
        "rekenen-wiskunde", "Rekenen-Wiskunde", "rekenen", 0.0, TestMode.PAPER,
        ("Getallen", "Verhoudingen", "Meten en meetkunde", "Verbanden"),
    ),
    SubjectSpec("begrijpend-lezen", "Begrijpend lezen", "lezen", 4.0, TestMode.DIGITAL),
    SubjectSpec(
        "taalverzorging", "Taalverzorging", "taalverzorging", -4.0, TestMode.PAPER,
        ("Spelling niet-werkwoorden", "Spelling werkwoorden", "Leestekens"),
    ),
    SubjectSpec("technisch-lezen", "Technisch lezen", None, 2.0, TestMode.DIGITAL),
)  # fmt: skip

ITEMS_PER_PAPER_TEST = 30
DOMAIN_FROM_LEVEL = {"Spelling werkwoorden": 6}
"""Domains taught from a later groep on: spelling werkwoorden starts in groep 6."""


def item_domain(subject: SubjectSpec, number: int, level: int) -> str:
    """The domain tag of item ``number`` of ``subject``'s test at ``level`` (groep)."""
    domains = [d for d in subject.item_domains if DOMAIN_FROM_LEVEL.get(d, 0) <= level]
    return domains[(number - 1) % len(domains)]


LEVEL_Z = (-0.8416, -0.2533, 0.2533, 0.8416)  # quintile boundaries of a normal distribution


def moment_sd(code: str) -> float:
    """12 at M3, widening to about 16 by groep 8."""
    return 12.0 + 4.0 * MOMENT_ORDER.index(code) / (len(MOMENT_ORDER) - 1)


def moment_mean(code: str, subject: SubjectSpec) -> float:
    return MOMENT_MEANS[code] + subject.offset


def test_code(subject_code: str, moment: str, level: int) -> str:
    return f"{subject_code}-{moment}{level}"


def conversion(raw: int, code: str, subject: SubjectSpec) -> float:
    """Synthetic conversion table: raw 0..N spread over mean ± 2.5 SD on the DEMO scale."""
    mean, sd = moment_mean(code, subject), moment_sd(code)
    share = (raw + 0.5) / (ITEMS_PER_PAPER_TEST + 1)
    return round(mean + sd * 2.5 * (2 * share - 1), 1)


@dataclass
class Built:
    """Ids created while building, so later steps need no lookups."""

    subjects: dict[str, int] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)
    items: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)
    cuts: dict[str, Cuts] = field(default_factory=dict)


def load_reference_content(built: Built) -> None:
    """Subjects, tests and every reference table, recording their ids in ``built``."""
    for position, subject in enumerate(SUBJECTS):
        row = Subject(
            code=subject.code, name=subject.name,
            reference_domain=subject.reference_domain, position=position,
        )  # fmt: skip
        db.session.add(row)
        db.session.flush()
        built.subjects[subject.code] = row.id
        previous = None
        for code in MOMENT_ORDER:
            moment, level = code[0], int(code[1])
            mean, sd = moment_mean(code, subject), moment_sd(code)
            cuts = Cuts(*(round(mean + z * sd, 1) for z in LEVEL_Z))
            growth = None if previous is None else mean - moment_mean(previous, subject)
            db.session.add(
                NationalReference(
                    subject_id=row.id, moment=Moment(moment), level=level, mean=mean, sd=sd,
                    p20=cuts.p20, p40=cuts.p40, p60=cuts.p60, p80=cuts.p80,
                    typical_growth=growth, growth_sd=None if growth is None else growth / 2,
                    source=DEMO_SOURCE,
                )
            )  # fmt: skip
            built.cuts[test_code(subject.code, moment, level)] = cuts
            _test(subject, row.id, moment, level, built)
            previous = code
        if subject.reference_domain:
            _reference_cuts(subject, row.id)
    _signaling_values()


def _test(subject: SubjectSpec, subject_id: int, moment: str, level: int, built: Built) -> None:
    code = test_code(subject.code, moment, level)
    moment_name = {"M": "midden", "E": "eind", "B": "begin"}[moment]
    paper = subject.mode is TestMode.PAPER
    test = Test(
        subject_id=subject_id, moment=Moment(moment), level=level, mode=subject.mode, code=code,
        name=f"{subject.name} {moment}{level} ({moment_name} groep {level}) — demo",
        item_count=ITEMS_PER_PAPER_TEST if paper else None,
    )  # fmt: skip
    db.session.add(test)
    db.session.flush()
    built.tests[code] = test.id
    if not paper:
        return
    items = []
    for number in range(1, ITEMS_PER_PAPER_TEST + 1):
        domain = item_domain(subject, number, level)
        answer = "ABCD"[(number * 7 + level) % 4]
        item = TestItem(test_id=test.id, number=number, correct_answer=answer, domain=domain)
        db.session.add(item)
        items.append(item)
    db.session.flush()
    built.items[code] = [(item.id, item.domain) for item in items]
    db.session.execute(
        ConversionRow.__table__.insert(),
        [
            {"test_id": test.id, "raw_score": raw,
             "ability_score": conversion(raw, f"{moment}{level}", subject)}
            for raw in range(ITEMS_PER_PAPER_TEST + 1)
        ],
    )  # fmt: skip


def _reference_cuts(subject: SubjectSpec, subject_id: int) -> None:
    """Invented cut scores at M8: about 95 % reach 1F, about 55–62 % reach 2F/1S."""
    mean, sd = moment_mean("M8", subject), moment_sd("M8")
    higher_z = 0.0 if subject.reference_domain == "rekenen" else -0.3
    for indicator, z in ((ReferenceIndicator.F1, -1.65), (ReferenceIndicator.F2_S1, higher_z)):
        db.session.add(
            ReferenceLevelCut(
                subject_id=subject_id, indicator=indicator,
                min_score=round(mean + z * sd, 1), source=DEMO_SOURCE,
            )
        )  # fmt: skip


def _signaling_values() -> None:
    """1F: 85 % for every school (Inspectie). The 2F/1S values per schoolweging band are
    placeholders: the IB replaces them with the Inspectorate's published table."""
    db.session.add(
        SignalingValue(
            indicator=ReferenceIndicator.F1, percentage=85.0, national_average=96.0,
            source="Inspectie van het Onderwijs: signaleringswaarde 1F",
        )
    )  # fmt: skip
    for low, high, percentage in ((20, 26, 58.0), (26, 30, 54.0), (30, 34, 50.0), (34, 40, 45.0)):
        db.session.add(
            SignalingValue(
                indicator=ReferenceIndicator.F2_S1, weging_from=low, weging_to=high,
                percentage=percentage, national_average=59.0,
                source="voorbeeldwaarde — vervang door de gepubliceerde tabel van de Inspectie",
            )
        )  # fmt: skip

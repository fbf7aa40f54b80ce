"""The results import (datamigratie): good, bad and hostile files, each with its exact outcome.

Nothing is written unless the whole file is valid; the same file twice changes nothing; a
corrected score updates the stored one and is audited (old → new).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.imports.results.apply import apply_results
from plugin.imports.results.reader import ResultsRefused
from plugin.imports.results.summary import problem_text, results_summary
from plugin.imports.results.uploads import plan_file, read_results
from plugin.models import (
    Administration,
    AuditEvent,
    Enrolment,
    Group,
    Level,
    MigrationState,
    Result,
)
from tests.plugin.imports.results.conftest import TODAY, csv_bytes, xlsx_bytes


def plan(world, data: bytes, today: date = TODAY):
    return plan_file(world.school, read_results(data), today)


def refused(world, data: bytes) -> list[str]:
    with pytest.raises(ResultsRefused) as caught:
        plan(world, data)
    return [problem_text(p) for p in caught.value.problems]


def imported(world, data: bytes):
    result = plan(world, data)
    apply_results(result)
    db.session.flush()
    return result


def results() -> int:
    return db.session.scalar(select(func.count(Result.id)))


def score_of(pupil, test, year=2025) -> Result:
    return db.session.scalar(
        select(Result).where(
            Result.pupil_id == pupil.id, Result.test_id == test.id, Result.school_year == year
        )
    )


GOOD = (
    "L0001,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,141.5",
    "L0002,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,150",
    "L0003,Rekenen-Wiskunde,rekenen-wiskunde-M4,2024-2025,M,2025-01-28,120",
    "https://ketenid.nl/1,rekenen,E5,2024/2025,E,12-06-2025,131",
)


def test_a_good_file_imports_every_result_with_level_afname_and_a_history_group(world):
    done = imported(world, csv_bytes(*GOOD))
    assert done.counts == {"rows": 4, "pupils": 3, "years": 2, "subjects": 1, "new": 4,
                           "changed": 0, "unchanged": 0}  # fmt: skip
    first = score_of(world.pupils[0], world.m5)
    assert (first.ability_score, first.level, first.leerjaar) == (141.5, Level.III, 5)
    assert score_of(world.pupils[1], world.m5).level is Level.II
    assert first.administration.completed_at is not None
    assert first.administration.taken_on == date(2026, 1, 27)
    # 2024-2025 was not in the administration's export: a history group of that year holds it,
    # with the pupil one leerjaar lower, so the school report of that year shows it.
    past = score_of(world.pupils[2], world.m4, 2024)
    group = db.session.get(Group, past.administration.group_id)
    assert (group.name, group.school_year, group.leerjaar) == ("Groep 4 (historie)", 2024, 4)
    assert past.leerjaar == 4
    enrolled = db.session.scalar(
        select(Enrolment).where(Enrolment.pupil_id == world.pupils[2].id,
                                Enrolment.school_year == 2024)
    )  # fmt: skip
    assert enrolled.group_id == group.id
    # The ECK iD finds the pupil too; "rekenen" and "2024/2025" are understood.
    assert score_of(world.pupils[0], world.e5, 2024).ability_score == 131
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "results_imported"))
    assert event.detail["counts"]["new"] == 4
    assert "L0001" not in str(event.detail)  # counts only, no keys or names


def test_the_same_file_twice_changes_nothing(world):
    imported(world, csv_bytes(*GOOD))
    before = (results(), db.session.scalar(select(func.count(Administration.id))),
              db.session.scalar(select(func.count(Group.id))),
              db.session.scalar(select(func.count(Enrolment.id))))  # fmt: skip
    again = imported(world, csv_bytes(*GOOD))
    assert again.counts["new"] == 0
    assert again.counts["changed"] == 0
    assert again.counts["unchanged"] == 4
    after = (results(), db.session.scalar(select(func.count(Administration.id))),
             db.session.scalar(select(func.count(Group.id))),
             db.session.scalar(select(func.count(Enrolment.id))))  # fmt: skip
    assert after == before
    assert not db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "result_changed")
    )


def test_a_corrected_score_updates_the_result_and_is_audited(world):
    imported(world, csv_bytes(*GOOD))
    corrected = imported(world, csv_bytes(GOOD[0].replace("141.5", "150"), *GOOD[1:]))
    assert (corrected.counts["changed"], corrected.counts["unchanged"]) == (1, 3)
    result = score_of(world.pupils[0], world.m5)
    assert (result.ability_score, result.level) == (150, Level.II)
    change = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "result_changed"))
    assert change.object_id == result.id
    assert change.detail["old"]["score"] == 141.5
    assert change.detail["new"]["score"] == 150
    assert results() == 4


def test_semicolons_a_bom_dutch_headers_and_decimal_commas(world):
    header = "\ufeffLeerlingnummer;Vakgebied;Toets;Schooljaar;Afnamemoment;Vaardigheidsscore"
    data = csv_bytes("L0001;Rekenen-Wiskunde;M5;2025-2026;M;141,5", header=header)
    done = imported(world, data)
    assert done.counts["new"] == 1
    assert score_of(world.pupils[0], world.m5).ability_score == 141.5


def test_windows_1252_is_read_and_a_name_column_is_ignored_not_stored(world):
    header = "Naam;Leerlingnummer;Vakgebied;Toets;Schooljaar;Aantal goed"
    data = csv_bytes("Zoë Jansen;L0002;Rekenen-Wiskunde;M5;2025-2026;20", header=header,
                     encoding="cp1252")  # fmt: skip
    done = imported(world, data)
    assert done.ignored_columns == ("Naam",)
    result = score_of(world.pupils[1], world.m5)
    assert (result.raw_score, result.ability_score) == (20, 150)  # the conversion table
    assert "Zoë" not in str(db.session.scalar(select(AuditEvent.detail).limit(1)))


def test_an_xlsx_with_dates_and_numbers_imports(world):
    from datetime import datetime

    rows = [["Leerlingnummer", "Vakgebied", "Toets", "Schooljaar", "Afnamedatum",
             "Vaardigheidsscore", "Niveau"],
            ["L0001", "Rekenen-Wiskunde", "M5", "2025-2026", datetime(2026, 1, 27), 141.5, "I"],
            ["L0002", "Rekenen-Wiskunde", "M5", 2025, datetime(2026, 1, 28), 160, None],
            ]  # fmt: skip
    done = imported(world, xlsx_bytes(rows))
    assert done.counts["new"] == 2
    assert score_of(world.pupils[0], world.m5).level is Level.I  # the file's level is kept
    assert score_of(world.pupils[1], world.m5).level is Level.I  # derived: 160 ≥ p80 154


def test_an_xlsx_formula_is_refused_by_row_and_column(world):
    rows = [["leerlingnummer", "vakgebied", "toets", "schooljaar", "vaardigheidsscore"],
            ["L0001", "Rekenen-Wiskunde", "M5", "2025-2026", 140],
            ["L0002", "Rekenen-Wiskunde", "M5", "2025-2026", "=E2+10"]]  # fmt: skip
    assert refused(world, xlsx_bytes(rows)) == [
        "rij 3, kolom E (vaardigheidsscore): De cel bevat een formule (=E2+10). Zet de waarde "
        "zelf in de export."
    ]
    assert results() == 0


def test_xlsx_merged_cells_are_refused(world):
    rows = [["leerlingnummer", "vakgebied", "toets", "schooljaar", "vaardigheidsscore"],
            ["L0001", "Rekenen-Wiskunde", "M5", "2025-2026", 140],
            ["L0002", None, "M5", "2025-2026", 150]]  # fmt: skip
    problems = refused(world, xlsx_bytes(rows, merge="B2:B3"))
    assert problems == ["rij 2: De cellen B2:B3 zijn samengevoegd. Maak ze los, zodat elke rij "
                        "zijn eigen waarden heeft."]  # fmt: skip


def test_a_csv_formula_is_refused(world):
    problems = refused(world, csv_bytes("L0001,Rekenen-Wiskunde,M5,2025-2026,M,,=HYPERLINK(1)"))
    assert problems[0].startswith("rij 2, kolom G (vaardigheidsscore): De cel bevat een formule")


def test_a_duplicate_row_is_refused_and_nothing_is_written(world):
    problems = refused(world, csv_bytes(GOOD[0], GOOD[1], GOOD[0].replace("141.5", "145")))
    assert problems == ["rij 4, kolom A (leerlingnummer): Dubbele regel: rij 2 heeft al deze "
                        "leerling, toets en dit schooljaar."]  # fmt: skip
    assert results() == 0


def test_a_pupil_of_another_school_and_an_unknown_pupil_are_refused_by_name(world):
    problems = refused(world, csv_bytes(
        "X0001,Rekenen-Wiskunde,M5,2025-2026,M,,140", "Q9999,Rekenen-Wiskunde,M5,2025-2026,M,,140",
    ))  # fmt: skip
    assert problems[0] == ("rij 2, kolom A (leerlingnummer): Leerling X0001 hoort bij een andere "
                           "school: er worden alleen resultaten van de eigen leerlingen van deze "
                           "school geïmporteerd.")  # fmt: skip
    assert problems[1].startswith("rij 3, kolom A (leerlingnummer): Onbekende leerling Q9999")
    assert results() == 0


def test_impossible_scores_are_refused(world):
    problems = refused(world, csv_bytes(
        "L0001,Rekenen-Wiskunde,M5,2025-2026,M,,999",
        "L0002,Rekenen-Wiskunde,M5,2025-2026,M,,-20",
        "L0003,Rekenen-Wiskunde,M5,2025-2026,M,,NaN",
    ))  # fmt: skip
    assert problems[0].startswith(
        "rij 2, kolom G (vaardigheidsscore): Onmogelijke vaardigheidsscore 999 voor "
        "Rekenen-Wiskunde: de schaal loopt van"
    )
    assert problems[1].startswith("rij 3, kolom G (vaardigheidsscore): Onmogelijke")
    assert problems[2] == "rij 4, kolom G (vaardigheidsscore): NaN is geen getal."
    raw = refused(
        world,
        csv_bytes(
            "L0001,Rekenen-Wiskunde,M5,2025,31",
            header="leerlingnummer,vakgebied,toets,schooljaar,aantal goed",
        ),
    )
    assert raw == ["rij 2, kolom E (aantal goed): Onmogelijke ruwe score 31: toets "
                   "rekenen-wiskunde-M5 heeft 30 opgaven."]  # fmt: skip


def test_every_problem_of_a_file_is_listed_at_once(world):
    problems = refused(world, csv_bytes(
        "L0001,Rekenen-Wiskunde,M5,2025-2026,M,27-01-2026,141.5",
        "L0002,Sterrenkunde,M5,2025-2026,M,27-01-2026,140",
        "L0003,Rekenen-Wiskunde,M5,2031-2032,M,27-01-2026,140",
        "L0003,Rekenen-Wiskunde,M5,2025-2026,E,31-02-2026,140",
        ",Rekenen-Wiskunde,M5,2025-2026,M,,",
    ))  # fmt: skip
    assert [p.split(":")[0] for p in problems] == [
        "rij 3, kolom B (vakgebied)",
        "rij 4, kolom D (schooljaar)",
        "rij 5, kolom E (afnamemoment)",  # the test is M5, the row says E
        "rij 5, kolom F (afnamedatum)",
        "rij 6, kolom A (leerlingnummer)",
        "rij 6, kolom G (vaardigheidsscore)",
    ]
    assert results() == 0


def test_missing_columns_are_named(world):
    assert refused(world, csv_bytes("L0001,2025", header="leerlingnummer,schooljaar")) == [
        "rij 1: Ontbrekende kolom(men): vakgebied, toets. De eerste rij moet de kolommen "
        "noemen; zie het sjabloon in Administratie.",
        "rij 1: Er is geen kolom vaardigheidsscore en geen kolom aantal goed: geef er één van.",
    ]


def test_a_file_that_is_not_text_or_an_old_xls_is_refused(world):
    assert refused(world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100) == [
        "Dit is een oud Excel-bestand (.xls). Sla het op als .xlsx of als CSV en upload dat."
    ]
    assert refused(world, b"\x00\x01\x02binary") == [
        "Het bestand is geen CSV-tekst en geen XLSX-werkmap. Exporteer de resultaten als CSV of "
        "XLSX."
    ]


def test_the_migration_becomes_in_progress_with_the_first_import(world):
    assert world.school.migration_state is MigrationState.NOT_STARTED
    imported(world, csv_bytes(*GOOD))
    db.session.refresh(world.school)
    assert world.school.migration_state is MigrationState.IN_PROGRESS
    change = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "migration_state_changed")
    )
    assert change.detail == {"old": "not_started", "new": "in_progress", "reason": "import"}


def test_the_preview_sentence_writes_numbers_the_dutch_way(app):
    counts = {"rows": 1204, "pupils": 212, "years": 3, "subjects": 4, "new": 1188,
              "changed": 0, "unchanged": 16}  # fmt: skip
    assert results_summary(counts) == (
        "1.204 resultaten voor 212 leerlingen, 3 jaar, 4 vakgebieden; 1.188 nieuw, 16 al aanwezig"
    )


def test_an_xlsx_declaring_entities_is_refused_unread(world):
    import io
    import zipfile

    good = xlsx_bytes([["leerlingnummer", "vakgebied", "toets", "schooljaar", "vaardigheidsscore"],
                       ["L0001", "Rekenen-Wiskunde", "M5", "2025-2026", 140]])  # fmt: skip
    hostile = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                head, _sep, rest = content.partition(b"?>") if content.startswith(b"<?") else (
                    b"", b"", content)  # fmt: skip
                content = (head + b"?>" if head else b"") + doctype + rest
            target.writestr(item, content)
    assert refused(world, hostile.getvalue()) == [
        "Het XLSX-bestand is beschadigd en niet te lezen."
    ]
    assert results() == 0

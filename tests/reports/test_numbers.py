"""The hand-computed school of conftest.py: exact numbers on every report page and CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from plugin.growth import GrowthJudgement
from reports import services


def rows_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def pupil_row(page: str, pupil_id: int) -> str:
    match = re.search(rf'<tr[^>]*data-pupil="{pupil_id}">(.*?)</tr>', page, re.S)
    assert match, f"no row for pupil {pupil_id}"
    return match.group(1)


def test_group_report_service_computes_levels_growth_and_medians(world):
    report = services.group_report(world.group, world.subject, 2025, world.e5.test.moment)
    by_name = {line.name: line.score for line in report.lines}
    assert by_name["Eva"] is None
    assert (by_name["Anna"].level.value, by_name["Anna"].growth) == ("III", 10.0)
    assert by_name["Anna"].judgement is GrowthJudgement.AS_EXPECTED
    assert by_name["Bas"].judgement is GrowthJudgement.ABOVE
    assert by_name["Cor"].judgement is GrowthJudgement.BELOW
    assert by_name["Dirk"].judgement is GrowthJudgement.BELOW
    assert [s for s in by_name.values() if s and s.stalled] == [by_name["Cor"], by_name["Dirk"]]
    assert {k.value: v for k, v in report.level_counts.items()} == {
        "I": 1, "II": 0, "III": 1, "IV": 1, "V": 1,
    }  # fmt: skip
    assert (report.median, report.previous_median, report.national_mean) == (147, 142.5, 150)


def test_group_report_page_shows_the_hand_computed_numbers(client, world, as_teacher):
    page = client.get(f"/rapportages/groep/{world.group.id}").get_data(as_text=True)
    assert '<dd id="fig-count">4</dd>' in page
    assert '<dd id="fig-median">147,0</dd>' in page
    assert '<dd id="fig-prev-median">142,5</dd>' in page
    assert '<dd id="fig-national">150,0</dd>' in page
    assert '<dd id="fig-stalled">2</dd>' in page
    for level, count in {"I": 1, "II": 0, "III": 1, "IV": 1, "V": 1}.items():
        assert f'data-level="{level}">{count}</td>' in page
    bas = pupil_row(page, world.pupils["Bas"].id)
    assert "162,0" in bas
    assert ">I<" in bas
    assert "12,0" in bas
    assert "boven verwachting" in bas
    cor = pupil_row(page, world.pupils["Cor"].id)
    assert ">V<" in cor
    assert "onder verwachting" in cor
    assert "groei stagneert" in cor
    assert "niet gemaakt" in pupil_row(page, world.pupils["Eva"].id)
    assert "<svg" in page
    assert "Leerlingen per niveau" in page


def test_group_report_other_moment_via_query(client, world, as_teacher):
    page = client.get(
        f"/rapportages/groep/{world.group.id}?vak=rekenen-toets&jaar=2025&moment=M"
    ).get_data(as_text=True)
    assert '<dd id="fig-count">5</dd>' in page
    assert '<dd id="fig-median">140,0</dd>' in page
    for level, count in {"I": 1, "II": 1, "III": 2, "IV": 1, "V": 0}.items():
        assert f'data-level="{level}">{count}</td>' in page


def test_group_table_sorts_server_side(client, world, as_teacher):
    page = client.get(f"/rapportages/groep/{world.group.id}?sort=groei&richting=af").get_data(
        as_text=True
    )
    order = re.findall(r'data-pupil="(\d+)"', page)
    names = {str(p.id): n for n, p in world.pupils.items()}
    assert [names[i] for i in order] == ["Bas", "Anna", "Cor", "Dirk", "Eva"]


def test_group_csv_holds_the_same_numbers(client, world, as_teacher):
    rows = rows_of(client.get(f"/rapportages/groep/{world.group.id}/export.csv"))
    assert rows[0][:4] == ["Leerling", "Toets", "Vaardigheidsscore", "Niveau"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Bas"] == ["Bas", "E5", "162,0", "I", "M5", "150,0", "12,0",
                              "boven verwachting", "nee"]  # fmt: skip
    assert by_name["Dirk"][3:] == ["IV", "M5", "145,0", "-1,0", "onder verwachting", "ja"]
    assert by_name["Eva"][1:] == [""] * 8


def test_pupil_report_shows_levels_growth_and_summary(client, world, as_teacher):
    bas = world.pupils["Bas"]
    page = client.get(f"/rapportages/leerling/{bas.id}").get_data(as_text=True)
    summary = re.search(r'data-summary="rekenen-toets">(.*?)</p>', page, re.S).group(1)
    assert "E5" in summary
    assert "162,0" in summary
    assert "niveau I" in summary
    assert "ruim boven het landelijk gemiddelde" in summary
    assert "12,0" in summary
    assert "boven verwachting" in summary
    assert "140,0 – 160,0" in page  # the E5 band p20–p80 in the table
    assert "<svg" in page


def test_pupil_csv_lists_every_test_with_functioning_level(client, world, as_teacher):
    rows = rows_of(client.get(f"/rapportages/leerling/{world.pupils['Dirk'].id}/export.csv"))
    header, *lines = rows
    assert header[:4] == ["Leerling", "Vakgebied", "Schooljaar", "Toets"]
    assert {line[0] for line in lines} == {world.pupils["Dirk"].display_name}
    assert lines[0][3:7] == ["M5", "145,0", "II", "M5"]
    assert lines[1][3:10] == ["E5", "144,0", "IV", "M5", "M5", "-1,0", "onder verwachting"]


def test_parent_report_speaks_plain_dutch(client, world, as_teacher):
    page = client.get(f"/rapportages/leerling/{world.pupils['Anna'].id}/ouderrapport").get_data(
        as_text=True
    )
    text = re.search(r'data-parent-summary="rekenen-toets">(.*?)</p>', page, re.S).group(1)
    assert "Anna scoort rond het landelijk gemiddelde" in text
    assert "ongeveer zoveel als we verwachtten" in text
    # The growth chart has no numbers; attributes are left out (a nonce or token is random).
    words = re.sub(r'="[^"]*"', "", re.sub(r"<svg.*?</svg>", "", page, flags=re.S))
    assert "162" not in words
    assert re.search(r"<svg.*?</svg>", page, re.S)
    assert "vaardigheidsscore" not in text.lower()


def test_school_report_reference_levels_goals_and_growth(client, world, as_ib):
    page = client.get("/rapportages/school?jaar=2025&moment=E").get_data(as_text=True)
    row = re.search(r'data-domain="rekenen" data-indicator="1F">(.*?)</tr>', page, re.S).group(1)
    assert "75,0 %" in row
    assert "(3/4)" in row
    assert "95 %" in row
    assert "niet gehaald" in row
    assert "85 %" in row
    assert "96 %" in row
    row2 = re.search(r'data-domain="rekenen" data-indicator="2F/1S">(.*?)</tr>', page, re.S).group(
        1
    )
    assert "50,0 %" in row2
    assert "54 %" in row2
    assert "gehaald" in row2
    assert "onder" in row2
    group = re.search(rf'data-group="{world.group.id}">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="num"[^>]*>(.*?)</td>', group)
    assert cells[:9] == ["4", "147,0", "150,0", "1", "0", "1", "1", "1", "5,5"]


def test_school_csv_holds_the_cross_section(client, world, as_ib):
    rows = rows_of(client.get("/rapportages/school/export.csv?jaar=2025&moment=E"))
    assert rows[1] == ["Groep 5", "Rekenen (toets)", "4", "147,0", "150,0",
                       "1", "0", "1", "1", "1", "5,5"]  # fmt: skip


def test_school_trend_compares_with_the_national_mean(client, world, as_ib):
    page = client.get("/rapportages/school?jaar=2025&moment=E").get_data(as_text=True)
    assert "146,8 (150,0)" in page  # (131 + 144 + 150 + 162) / 4 = 146,75


def test_category_analysis_flags_lagging_domains(client, world, as_teacher):
    page = client.get(f"/rapportages/groep/{world.group.id}/categorieen").get_data(as_text=True)
    meten = re.search(r'data-domain="Meten">(.*?)</tr>', page, re.S).group(1)
    assert "4 / 6" in meten
    assert "66,7 %" in meten
    assert "-16,7" in meten
    assert "ja" in meten
    assert "10 / 12" in page
    assert "83,3 %" in page
    rows = rows_of(client.get(f"/rapportages/groep/{world.group.id}/categorieen.csv"))
    flags = {(r[0], r[1]): r[-1] for r in rows[1:]}
    assert flags[("Anna", "Meten")] == "ja"
    assert flags[("Anna", "Getallen")] == "nee"
    assert flags[("Bas", "Meten")] == "nee"
    assert flags[("Hele groep", "Meten")] == "ja"


@pytest.mark.parametrize("bad", ["vak=bestaat-niet", "moment=X", "jaar=abc&moment=M"])
def test_bad_selection_gives_a_dutch_400(client, world, as_teacher, bad):
    response = client.get(f"/rapportages/groep/{world.group.id}?{bad}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_median_growth_goal_is_shown_against_each_group(client, world, as_ib):
    from plugin.extensions import db
    from plugin.models import GoalIndicator, SchoolGoal

    db.session.add(SchoolGoal(school_id=world.school.id, school_year=2025, domain="rekenen",
                              indicator=GoalIndicator.MEDIAN_GROWTH, target=6.0))  # fmt: skip
    db.session.flush()
    page = client.get("/rapportages/school?jaar=2025&moment=E").get_data(as_text=True)
    assert "schooldoel voor de mediane groei: 6,0" in page
    group = re.search(rf'data-group="{world.group.id}">(.*?)</tr>', page, re.S).group(1)
    growth = re.search(r'data-col="median-growth">(.*?)</td>', group, re.S).group(1)
    assert "5,5" in growth
    assert "niet gehaald" in growth


def test_csv_neutralises_spreadsheet_formulas_in_names(client, world, as_teacher):
    from plugin.extensions import db

    world.pupils["Eva"].display_name = '=HYPERLINK("http://x")'
    db.session.flush()
    rows = rows_of(client.get(f"/rapportages/groep/{world.group.id}/export.csv"))
    assert '\'=HYPERLINK("http://x")' in [row[0] for row in rows]
    dirk = next(row for row in rows if row[0] == "Dirk")
    assert dirk[6] == "-1,0"  # a negative growth is a number, not a formula: left as it is


def test_the_moment_select_box_chooses_year_and_moment(client, world, as_teacher):
    url = f"/rapportages/groep/{world.group.id}?vak=rekenen-toets&keuze=2025-M"
    page = client.get(url).get_data(as_text=True)
    assert '<dd id="fig-count">5</dd>' in page


def test_an_afname_of_another_group_is_not_found_and_audited(client, world, as_teacher):
    from sqlalchemy import select

    from plugin.extensions import db
    from plugin.models import AuditEvent
    from tests.factories import GroupFactory, SchoolFactory, ToetsFactory, administer

    foreign = administer(GroupFactory(school=SchoolFactory()), ToetsFactory())
    url = f"/rapportages/groep/{world.group.id}/categorieen?afname={foreign.id}"
    assert client.get(url).status_code == 404
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "administration")
    ).all()
    assert actions == ["access_denied"]


def test_changing_subject_in_the_form_falls_back_to_its_latest_moment(client, world, as_teacher):
    url = f"/rapportages/groep/{world.group.id}?vak=rekenen-toets&keuze=2019-E"
    page = client.get(url).get_data(as_text=True)
    assert '<dd id="fig-count">4</dd>' in page  # E 2025, the latest moment


def test_the_ib_dashboard_shows_the_median_growth_goal_against_the_latest_moment(
    client, world, as_ib
):
    """Latest moment with results is E 2025: growth 10, 12, 1 and -1 → median 5,5 < goal 6."""
    from plugin.extensions import db
    from plugin.models import GoalIndicator, SchoolGoal

    db.session.add(SchoolGoal(school_id=world.school.id, school_year=2025, domain="rekenen",
                              indicator=GoalIndicator.MEDIAN_GROWTH, target=6.0))  # fmt: skip
    db.session.flush()
    page = client.get("/dashboard").get_data(as_text=True)
    table = re.search(r'id="growth-goal-state">(.*?)</table>', page, re.S).group(1)
    row = re.search(r'data-domain="rekenen">(.*?)</tr>', table, re.S).group(1)
    assert "E 2025-2026" in row
    assert "5,5" in row
    assert "6,0" in row
    assert "doel niet gehaald" in row


def test_without_growth_goals_the_dashboard_shows_no_growth_table(client, world, as_ib):
    assert 'id="growth-goal-state"' not in client.get("/dashboard").get_data(as_text=True)


def test_exports_are_named_in_dutch_words_not_codes(client, world, as_teacher):
    pupil = world.pupils["Dirk"]
    response = client.get(f"/rapportages/leerling/{pupil.id}/export.csv")
    disposition = response.headers["Content-Disposition"]
    assert "leerlingrapport-" in disposition
    assert pupil.display_name.split()[0].lower() in disposition
    group = client.get(f"/rapportages/groep/{world.group.id}/export.csv")
    assert world.group.name.lower().replace(" ", "-") in group.headers["Content-Disposition"]

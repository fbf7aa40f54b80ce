"""Everything a school holds, as one ZIP of CSV files with a Dutch LEESMIJ.txt: for the school's
own archive, a move to another system, or the end of the contract.

One query per file, CSV as Dutch Excel reads it (semicolons, decimal comma, BOM) and safe
against formula injection (:mod:`plugin.csv_export`). The export is audited by the caller's
:func:`export_school`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from flask_babel import format_datetime
from sqlalchemy import select

from plugin.admin import audit_log
from plugin.audit import record_event
from plugin.audit_actions import AuditAction
from plugin.csv_export import csv_text
from plugin.db import Base
from plugin.extensions import db
from plugin.models import (
    Administration,
    CourseRequest,
    CourseRequester,
    Enrolment,
    Group,
    GroupMember,
    ItemResponse,
    PlatformContext,
    Pupil,
    Result,
    ResultAggregate,
    School,
    SchoolGoal,
    StaffMember,
    Subject,
    Test,
    TestItem,
    UnmatchedAccount,
)

README = """Leerling in beeld: export van alle gegevens van {school}
Gemaakt op {when}.

Deze map bevat alles wat Leerling in beeld voor de school bewaart, als CSV-bestanden
(puntkomma's, decimale komma, UTF-8 met BOM: Excel opent ze direct). Tekst die een
spreadsheet als formule zou uitvoeren, begint met een apostrof ('). Elk bestand heeft in de
eerste regel de namen van de kolommen. De nummers (id's) verbinden de bestanden: leerling_id
in resultaten.csv is id in leerlingen.csv, enzovoort.

leerlingen.csv        de leerlingen: naam, sleutel en ECK iD uit de leerlingadministratie,
                      account op het schoolplatform, in- en uitstroomdatum
groepen.csv           de groepen per schooljaar (jaargroep, combinatiegroep, samengestelde groep)
groepsindeling.csv    welke leerling in welk schooljaar in welke groep zat
samengestelde_groepen.csv  leden van samengestelde groepen (bijvoorbeeld leesgroepen)
medewerkers.csv       leerkrachten en intern begeleiders: naam, e-mail, rol
afnames.csv           welke groep welke toets op welke datum maakte
resultaten.csv        per leerling en toets: ruwe score, vaardigheidsscore, niveau, afwijkend
antwoorden.csv        per leerling en opgave van papieren toetsen: goed of fout, gegeven antwoord
afname_notities.csv   afwezig of afwijkend afgenomen, met de notitie van de leerkracht
doelen.csv            de doelen van de school, ook vervangen doelen
cursuskoppelingen.csv welke cursus van het schoolplatform bij welke groep hoort (of geweigerd is)
cursusaanvragen.csv   cursussen van het schoolplatform die nog op een besluit van de IB wachten,
                      met wie de tool vanuit die cursus opende (medewerker_id, of naam en e-mail
                      van wie de school nog niet kent); verdwijnt als de cursus is gekoppeld
                      of geweigerd
niet_gekoppelde_accounts.csv  leerlingaccounts van het schoolplatform die de laatste
                      synchronisatie van een cursus (id in cursuskoppelingen.csv) aan geen
                      leerling kon koppelen (naam)
anonieme_aantallen.csv  wat over is van leerlingen die na de bewaartermijn zijn verwijderd:
                      aantallen per groep, toets en niveau, zonder leerling
logboek.csv           het logboek: wie wat bekeek of veranderde (de namen zijn bij het maken
                      van deze export opgezocht)

Nooit bewaard en dus ook niet in deze export: burgerservicenummer, adres, geboortedatum.
Deze export bevat persoonsgegevens van leerlingen: bewaar hem zoals de school haar
leerlingdossiers bewaart, en verwijder hem als hij niet meer nodig is.
"""


def file_slug(name: str) -> str:
    """A school name as a safe file-name part (a-z, 0-9 and hyphens)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "school"


def _rows(query) -> list[Sequence]:
    return [tuple(row) for row in db.session.execute(query)]


def _file(header: list[str], rows: Iterable[Sequence]) -> str:
    return csv_text(header, rows)


def build(school: School) -> tuple[bytes, dict[str, int]]:
    """The ZIP and the number of rows per file (for the audit row)."""
    sid = school.id
    files: dict[str, tuple[list[str], list[Sequence]]] = {
        "leerlingen.csv": (
            ["id", "naam", "roepnaam", "tussenvoegsel", "achternaam", "sleutel", "eckid",
             "platformaccount", "instroomdatum", "uitstroomdatum"],
            _rows(select(Pupil.id, Pupil.display_name, Pupil.first_name, Pupil.infix,
                         Pupil.last_name, Pupil.key, Pupil.eckid, Pupil.lti_subject,
                         Pupil.entered_on, Pupil.left_on)
                  .where(Pupil.school_id == sid).order_by(Pupil.id)),
        ),
        "groepen.csv": (
            ["id", "naam", "schooljaar", "jaargroep", "jaargroep_tot", "sleutel", "samengesteld"],
            _rows(select(Group.id, Group.name, Group.school_year, Group.leerjaar,
                         Group.leerjaar_high, Group.key, Group.is_subgroup)
                  .where(Group.school_id == sid).order_by(Group.school_year, Group.id)),
        ),
        "groepsindeling.csv": (
            ["leerling_id", "groep_id", "schooljaar", "jaargroep"],
            _rows(select(Enrolment.pupil_id, Enrolment.group_id, Enrolment.school_year,
                         Enrolment.leerjaar)
                  .where(Enrolment.school_id == sid)
                  .order_by(Enrolment.school_year, Enrolment.pupil_id)),
        ),
        "samengestelde_groepen.csv": (
            ["groep_id", "leerling_id"],
            _rows(select(GroupMember.group_id, GroupMember.pupil_id)
                  .where(GroupMember.school_id == sid)
                  .order_by(GroupMember.group_id, GroupMember.pupil_id)),
        ),
        "medewerkers.csv": (
            ["id", "naam", "e-mail", "rol", "sleutel"],
            _rows(select(StaffMember.id, StaffMember.display_name, StaffMember.email,
                         StaffMember.role, StaffMember.key)
                  .where(StaffMember.school_id == sid).order_by(StaffMember.id)),
        ),
        "afnames.csv": (
            ["id", "groep_id", "toets", "toetsnaam", "vakgebied", "moment", "niveau",
             "schooljaar", "afgenomen_op", "afgerond_op"],
            _rows(select(Administration.id, Administration.group_id, Test.code, Test.name,
                         Subject.name, Test.moment, Test.level, Administration.school_year,
                         Administration.taken_on, Administration.completed_at)
                  .join(Test, Test.id == Administration.test_id)
                  .join(Subject, Subject.id == Test.subject_id)
                  .join(Group, Group.id == Administration.group_id)
                  .where(Group.school_id == sid).order_by(Administration.id)),
        ),
        "resultaten.csv": (
            ["leerling_id", "afname_id", "toets", "vakgebied", "schooljaar", "moment",
             "jaargroep", "ruwe_score", "vaardigheidsscore", "niveau", "afwijkend"],
            _rows(select(Result.pupil_id, Result.administration_id, Test.code, Subject.name,
                         Result.school_year, Test.moment, Result.leerjaar, Result.raw_score,
                         Result.ability_score, Result.level, Result.deviating)
                  .join(Test, Test.id == Result.test_id)
                  .join(Subject, Subject.id == Test.subject_id)
                  .join(Pupil, Pupil.id == Result.pupil_id)
                  .where(Pupil.school_id == sid)
                  .order_by(Result.pupil_id, Result.school_year, Result.id)),
        ),
        "antwoorden.csv": (
            ["afname_id", "leerling_id", "opgave", "goed", "gegeven_antwoord"],
            _rows(select(ItemResponse.administration_id, ItemResponse.pupil_id,
                         TestItem.number, ItemResponse.correct, ItemResponse.given_answer)
                  .join(TestItem, TestItem.id == ItemResponse.item_id)
                  .join(Pupil, Pupil.id == ItemResponse.pupil_id)
                  .where(Pupil.school_id == sid)
                  .order_by(ItemResponse.administration_id, ItemResponse.pupil_id,
                            TestItem.number)),
        ),
        "doelen.csv": (
            ["schooljaar", "domein", "indicator", "streefwaarde", "bron", "gezet_op",
             "vervangen_op"],
            _rows(select(SchoolGoal.school_year, SchoolGoal.domain, SchoolGoal.indicator,
                         SchoolGoal.target, SchoolGoal.source, SchoolGoal.created_at,
                         SchoolGoal.superseded_at)
                  .where(SchoolGoal.school_id == sid).order_by(SchoolGoal.id)),
        ),
        "anonieme_aantallen.csv": (
            ["groep_id", "toets", "schooljaar", "jaargroep", "niveau", "aantal",
             "som_vaardigheidsscores", "aantal_1F", "aantal_2F_1S"],
            _rows(select(ResultAggregate.group_id, Test.code, ResultAggregate.school_year,
                         ResultAggregate.leerjaar, ResultAggregate.level, ResultAggregate.count,
                         ResultAggregate.score_sum, ResultAggregate.reached_1f,
                         ResultAggregate.reached_2f_1s)
                  .join(Test, Test.id == ResultAggregate.test_id)
                  .where(ResultAggregate.school_id == sid).order_by(ResultAggregate.id)),
        ),
        "cursuskoppelingen.csv": (
            ["id", "platform", "cursus_id", "label", "titel", "groep_id", "gekoppeld_op",
             "geweigerd_op", "laatste_synchronisatie"],
            _rows(select(PlatformContext.id, PlatformContext.issuer, PlatformContext.context_id,
                         PlatformContext.label, PlatformContext.title, PlatformContext.group_id,
                         PlatformContext.approved_at, PlatformContext.refused_at,
                         PlatformContext.roster_synced_at)
                  .where(PlatformContext.school_id == sid).order_by(PlatformContext.id)),
        ),
        "cursusaanvragen.csv": (
            ["aanvraag_id", "platform", "cursus_id", "label", "titel", "eerst_gevraagd",
             "laatst_gevraagd", "medewerker_id", "platformaccount", "naam", "e-mail",
             "gevraagd_op"],
            _rows(select(CourseRequest.id, CourseRequest.issuer, CourseRequest.context_id,
                         CourseRequest.label, CourseRequest.title, CourseRequest.first_at,
                         CourseRequest.last_at, CourseRequester.staff_id,
                         CourseRequester.platform_user_id, CourseRequester.name,
                         CourseRequester.email, CourseRequester.requested_at)
                  .outerjoin(CourseRequester, CourseRequester.request_id == CourseRequest.id)
                  .where(CourseRequest.school_id == sid)
                  .order_by(CourseRequest.id, CourseRequester.id)),
        ),
        "niet_gekoppelde_accounts.csv": (
            ["cursuskoppeling_id", "naam", "gezien_op"],
            _rows(select(UnmatchedAccount.platform_context_id, UnmatchedAccount.name,
                         UnmatchedAccount.seen_at)
                  .where(UnmatchedAccount.school_id == sid)
                  .order_by(UnmatchedAccount.platform_context_id, UnmatchedAccount.name)),
        ),
    }  # fmt: skip
    notes = Base.metadata.tables.get("pupil_administration")  # owned by instructions
    if notes is not None:
        files["afname_notities.csv"] = (
            ["afname_id", "leerling_id", "afwezig", "afwijkend", "notitie"],
            _rows(select(notes.c.administration_id, notes.c.pupil_id, notes.c.absent,
                         notes.c.deviating, notes.c.note)
                  .join(Pupil, Pupil.id == notes.c.pupil_id)
                  .where(Pupil.school_id == sid).order_by(notes.c.id)),
        )  # fmt: skip
    header, lines = audit_log.export_table(sid, audit_log.LogFilter())
    files["logboek.csv"] = (header, list(lines))
    buffer = io.BytesIO()
    when = format_datetime(datetime.now(UTC), "d MMMM yyyy, HH:mm")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("LEESMIJ.txt", README.format(school=school.name, when=when))
        for name, (head, rows) in files.items():
            archive.writestr(name, _file(head, [_plain(row) for row in rows]))
    return buffer.getvalue(), {name: len(rows) for name, (_h, rows) in files.items()}


def _plain(row: Sequence) -> list:
    """Dates as ISO text, enums as their value, booleans as ja/nee."""
    out = []
    for value in row:
        if isinstance(value, bool):
            out.append("ja" if value else "nee")
        elif hasattr(value, "isoformat"):
            out.append(value.isoformat())
        elif hasattr(value, "value") and not isinstance(value, int | float):
            out.append(value.value)
        else:
            out.append(value)
    return out


def export_school(school: School) -> bytes:
    """The ZIP, audited (counts only): for the IB's download and the command line."""
    data, counts = build(school)
    record_event(AuditAction.SCHOOL_EXPORTED, "school", school.id, school_id=school.id,
                 rows=sum(counts.values()))  # fmt: skip
    return data

"""Reading EDEXML 2.0 and 2.1: what the tool keeps, and every file it refuses (in Dutch)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from plugin.imports.edexml import parse_edexml
from plugin.imports.records import EdexmlRefused
from plugin.imports.summary import problem_text
from tests.plugin.imports.conftest import SENSITIVE, read

MINIMAL = """<?xml version="1.0"?>
<EDEX><school><schooljaar>2025-2026</schooljaar><brincode>99ZZ</brincode></school>
{groups}<leerlingen>{pupils}</leerlingen>{teachers}</EDEX>"""


def minimal(groups: str = "", pupils: str = '<leerling key="1"><roepnaam>A</roepnaam></leerling>',
            teachers: str = "") -> bytes:  # fmt: skip
    return MINIMAL.format(groups=groups, pupils=pupils, teachers=teachers).encode()


def refusal(data: bytes) -> list[str]:
    with pytest.raises(EdexmlRefused) as refused:
        parse_edexml(data)
    return [problem_text(problem) for problem in refused.value.problems]


@pytest.mark.parametrize("name", ["edexml-2.0-full.xml", "edexml-2.1-full.xml"])
def test_a_full_export_gives_groups_pupils_and_teachers(name):
    edex = parse_edexml(read(name))
    assert (edex.school_year, edex.brin) == (2025, "99ZZ")
    assert [(g.key, g.name, g.jaargroep, g.is_subgroup) for g in edex.groups] == [
        ("G5", "Groep 5", "5", False), ("SG-LEES", "Leesgroep plus", None, True),
        ("G67", "Groep 6/7", "C", False), ("KLEUTERS", "Kabouters", "0", False),
    ]  # fmt: skip
    gradje = edex.pupils[0]
    assert (gradje.first_name, gradje.infix, gradje.last_name) == ("Gradje", "van 't", "Hof")
    assert (gradje.group_key, gradje.subgroup_keys) == ("G5", ("SG-LEES",))
    assert gradje.entered_on == date(2020, 8, 17)
    assert edex.pupils[2].first_name == "Ismaël Hassan"  # no roepnaam: the voornamen
    assert edex.pupils[4].left_on == date(2025, 7, 11)
    julia = edex.teachers[0]
    assert (julia.email, julia.roles) == ("j.vanbemmel@school.invalid", ("LRK",))
    assert [(link.group_key, link.is_subgroup, link.roles) for link in julia.links] == [
        ("G5", False, ("LRK",)), ("SG-LEES", True, ()),
    ]  # fmt: skip
    if name.startswith("edexml-2.1"):
        assert gradje.eckid == "https://id.school/LL_fictief0001"
        assert julia.eckid == "https://id.school/LK_fictief01"
    else:
        assert gradje.eckid is None
        assert julia.eckid is None


@pytest.mark.parametrize("name", ["edexml-2.0-full.xml", "edexml-2.1-full.xml"])
def test_what_the_tool_must_not_store_is_not_even_read(name):
    edex = parse_edexml(read(name))
    kept = repr(dataclasses.asdict(edex))
    for value in SENSITIVE:
        assert value not in kept


def test_every_optional_element_may_be_missing():
    edex = parse_edexml(read("edexml-2.0-minimal.xml"))
    assert (edex.version, edex.groups, edex.teachers) == (None, (), ())
    first, second = edex.pupils
    assert (first.first_name, first.last_name, first.group_key, first.jaargroep) == (
        "Gradje", None, None, None)  # fmt: skip
    assert (second.first_name, second.last_name) == (None, "Assati")


def test_a_dependance_is_part_of_the_brin_and_00_is_none():
    data = minimal().replace(b"</brincode>", b"</brincode><dependancecode>01</dependancecode>")
    assert parse_edexml(data).brin == "99ZZ01"
    data = minimal().replace(b"</brincode>", b"</brincode><dependancecode>00</dependancecode>")
    assert parse_edexml(data).brin == "99ZZ"


def test_invalid_xml_is_refused_with_its_line():
    problems = refusal(b"<?xml version='1.0'?>\n<EDEX>\n<school>\n</EDEX>")
    assert len(problems) == 1
    assert problems[0].startswith("regel 4: Dit is geen geldige XML")


def test_a_billion_laughs_file_is_refused_before_anything_expands():
    lol = b"""<?xml version="1.0"?>
<!DOCTYPE EDEX [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<EDEX><school><schooljaar>&lol9;</schooljaar></school></EDEX>"""
    problems = refusal(lol)
    assert len(problems) == 1
    assert "DTD" in problems[0]
    assert "geweigerd" in problems[0]


def test_an_external_entity_is_refused_and_nothing_is_fetched():
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE EDEX [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<EDEX><school><schooljaar>&x;</schooljaar></school></EDEX>"""
    assert "geweigerd" in refusal(xxe)[0]


def test_another_root_element_is_not_edexml():
    assert "geen EDEXML-bestand" in refusal(b"<html><body/></html>")[0]


def test_duplicate_keys_and_dangling_references_are_all_listed_with_lines():
    data = minimal(
        groups='<groepen>\n<groep key="G1"><naam>1</naam><jaargroep>1</jaargroep></groep>\n'
               '<groep key="G1"><naam>1b</naam><jaargroep>Q</jaargroep></groep>\n</groepen>\n',
        pupils='\n<leerling key="P1" eckid="E1"><roepnaam>A</roepnaam><groep key="G9"/></leerling>'
               '\n<leerling key="P1" eckid="E1"><roepnaam>B</roepnaam></leerling>'
               '\n<leerling key="P2"><jaargroep>9</jaargroep><instroomdatum>2025-02-30'
               "</instroomdatum></leerling>\n",
        teachers='<leerkrachten><leerkracht key="T1"><roepnaam>T</roepnaam><groepen>'
                 '<samengestelde_groep key="G1"/></groepen><rol>XYZ</rol></leerkracht>'
                 "</leerkrachten>",
    )  # fmt: skip
    problems = refusal(data)
    assert 'regel 5, <groep key="G1">: De sleutel (key) komt twee keer voor' in problems[0]
    expected = [
        ('<groep key="G1">', "<jaargroep> 'Q'"),
        ('regel 8, <leerling key="P1">', 'groep key="G9"'),
        ('regel 9, <leerling key="P1">', "twee keer"),
        ('regel 9, <leerling key="P1">', "ECK iD"),
        ('regel 10, <leerling key="P2">', "achternaam"),
        ('<leerling key="P2">', "<jaargroep> '9'"),
        ('<leerling key="P2">', "2025-02-30"),
        ('<leerkracht key="T1">', 'samengestelde_groep key="G1"'),
        ('<leerkracht key="T1">', "XYZ"),
    ]
    for place, text in expected:
        assert any(place in p and text in p for p in problems), (place, text, problems)
    assert len(problems) == 10


def test_the_school_year_and_brin_must_be_there_and_well_formed():
    data = minimal().replace(b"2025-2026", b"2025-2027").replace(b"99ZZ", b"ZZ99")
    problems = refusal(data)
    assert any("schooljaar" in p for p in problems)
    assert any("BRIN" in p for p in problems)


def test_a_file_without_pupils_is_refused():
    data = b"<EDEX><school><schooljaar>2025-2026</schooljaar><brincode>99ZZ</brincode></school>" \
           b"<leerlingen/></EDEX>"  # fmt: skip
    assert any("geen leerlingen" in p for p in refusal(data))


def test_another_version_is_refused():
    data = minimal().replace(b"</brincode>", b"</brincode><xsdversie>1.0.3</xsdversie>")
    assert any("1.0.3" in p for p in refusal(data))

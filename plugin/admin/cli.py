"""``flask --app wsgi ib ...``: IT keeps a school's IB list (and appoints its first IB).

``appoint`` and ``remove`` take the person's e-mail address or their key from the school's
administration (EDEXML). Appointing an e-mail address nobody at the school has yet makes a row
for it: the person's first launch with that e-mail binds it, and they are IB from then on.
Unlike Administratie, IT may remove the last IB on the list (the school then has IBs by the
platform's institution role only). Every change is audited (actor "cli").
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from plugin import access
from plugin.extensions import db
from plugin.models import School


def _school(name: str) -> School:
    school = db.session.scalars(select(School).where(School.name == name.strip())).first()
    if school is None:
        raise click.ClickException(_("No school named %(name)s.", name=name))
    return school


def _fail(error: access.AccessError):
    db.session.rollback()
    raise click.ClickException(str(error))


def register(app: Flask) -> None:
    group = AppGroup("ib", help="The school's IB list (intern begeleiders).")

    @group.command("appoint")
    @click.option("--school", required=True, help="The school's name.")
    @click.argument("who")
    def appoint(school: str, who: str) -> None:
        """Put a person (e-mail or administration key) on the school's IB list."""
        target = _school(school)
        try:
            staff = access.find_staff(target.id, who)
        except access.StaffNotFound as error:
            if "@" not in who:
                _fail(error)
            try:
                staff = access.listed_staff(target.id, who)
            except access.AccessError as invalid:
                _fail(invalid)
        except access.AccessError as error:
            _fail(error)
        changed = access.appoint_ib(staff, via="cli")
        db.session.commit()
        if changed:
            click.echo(_("%(name)s is now IB of %(school)s.", name=staff.display_name,
                         school=target.name))  # fmt: skip
        else:
            click.echo(_("%(name)s was already IB of %(school)s.", name=staff.display_name,
                         school=target.name))  # fmt: skip

    @group.command("remove")
    @click.option("--school", required=True, help="The school's name.")
    @click.argument("who")
    def remove(school: str, who: str) -> None:
        """Take a person (e-mail or administration key) off the school's IB list."""
        target = _school(school)
        try:
            staff = access.find_staff(target.id, who)
        except access.AccessError as error:
            _fail(error)
        changed = access.remove_ib(staff, via="cli", keep_last=False)
        db.session.commit()
        if not changed:
            click.echo(_("%(name)s was not on the IB list.", name=staff.display_name))
            return
        click.echo(_("%(name)s is no longer IB of %(school)s (from their next click on).",
                     name=staff.display_name, school=target.name))  # fmt: skip
        if not access.ib_list(target.id):
            click.echo(_("Note: the IB list of %(school)s is now empty.", school=target.name))

    @group.command("list")
    @click.option("--school", required=True, help="The school's name.")
    def list_(school: str) -> None:
        """Show the school's IB list."""
        target = _school(school)
        ibs = access.ib_list(target.id)
        if not ibs:
            click.echo(_("The IB list of %(school)s is empty.", school=target.name))
        for staff in ibs:
            state = _("has launched") if staff.lti_subject else _("has not launched yet")
            click.echo(f"{staff.display_name}  {staff.email or '-'}  {staff.key or '-'}  "
                       f"({state})")  # fmt: skip

    app.cli.add_command(group)

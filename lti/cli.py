"""``flask --app wsgi lti ...``: manage platform registrations and the tool's keys."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from lti import keys, services
from plugin.extensions import db


def register(app: Flask) -> None:
    group = AppGroup("lti", help="LTI 1.3 platform registrations and tool keys.")

    @group.command("add-platform")
    @click.option("--issuer", required=True, help="The platform's issuer (iss).")
    @click.option("--client-id", required=True, help="The tool's client id at the platform.")
    @click.option("--deployment-id", required=True, help="The deployment id for this school.")
    @click.option("--auth-login-url", required=True, help="Platform OIDC authorization URL.")
    @click.option("--auth-token-url", required=True, help="Platform OAuth2 token URL.")
    @click.option("--jwks-url", required=True, help="Platform public key set URL.")
    @click.option("--school", required=True, help="School name (linked, or created).")
    @click.option("--name", default="", help="A name for the platform.")
    @click.option(
        "--ib-role", "ib_roles", multiple=True, help="Role URI that makes a user IB (repeatable)."
    )
    def add_platform(deployment_id: str, school: str, ib_roles: tuple, **fields) -> None:
        """Register a platform (or update it) and link a deployment to a school."""
        with _errors():
            registration = services.upsert_registration(
                **fields, ib_roles=list(ib_roles) if ib_roles else None
            )
            target = services.school_named(school)
            services.add_deployment(registration, deployment_id, target)
            db.session.commit()
        click.echo(_("Registered %(issuer)s (client %(client)s), deployment %(deployment)s for "
                     "%(school)s.", issuer=registration.issuer, client=registration.client_id,
                     deployment=deployment_id, school=target.name))  # fmt: skip

    @group.command("list-platforms")
    def list_platforms() -> None:
        """Show every registered platform and its deployments."""
        for reg in services.all_registrations():
            click.echo(f"{reg.issuer}  client={reg.client_id}  jwks={reg.jwks_url}")
            for dep in reg.deployments:
                click.echo(f"    deployment {dep.deployment_id} → {dep.school.name}")

    @group.command("remove-platform")
    @click.option("--issuer", required=True)
    @click.option("--client-id", default=None, help="Only this client id (default: all).")
    def remove_platform(issuer: str, client_id: str | None) -> None:
        """Remove a registration and its deployments (schools and their data stay)."""
        count = services.remove_registration(issuer, client_id)
        db.session.commit()
        if not count:
            raise click.ClickException(_("No registration for %(issuer)s.", issuer=issuer))
        click.echo(ngettext("Removed %(num)d registration.", "Removed %(num)d registrations.",
                            count))  # fmt: skip

    @group.command("export")
    @click.argument("output", type=click.File("w"), default="-")
    def export(output) -> None:
        """Write the registrations as JSON (no keys)."""
        json.dump(services.export_registrations(), output, indent=2, ensure_ascii=False)
        output.write("\n")

    @group.command("import")
    @click.argument("source", type=click.File("r"), default="-")
    def import_(source) -> None:
        """Read registrations from JSON (as written by ``lti export``); existing ones update."""
        with _errors():
            count = services.import_registrations(json.load(source))
            db.session.commit()
        click.echo(ngettext("Imported %(num)d registration.", "Imported %(num)d registrations.",
                            count))  # fmt: skip

    @group.command("move-deployment")
    @click.option("--issuer", required=True, help="The platform's issuer (iss).")
    @click.option("--client-id", required=True, help="The tool's client id at the platform.")
    @click.option("--deployment-id", required=True, help="The deployment to move.")
    @click.option("--school", required=True, help="The existing school it moves to.")
    def move_deployment(issuer: str, client_id: str, deployment_id: str, school: str) -> None:
        """Move a deployment to another school on purpose (audited in both schools' logs)."""
        with _errors():
            old, new = services.move_deployment(issuer, client_id, deployment_id, school)
            db.session.commit()
        if old.id == new.id:
            click.echo(_("Deployment %(deployment)s already belongs to %(school)s.",
                         deployment=deployment_id, school=new.name))  # fmt: skip
            return
        click.echo(_("Deployment %(deployment)s moved from %(old)s to %(new)s. Launches through "
                     "it now belong to %(new)s; people and courses of %(old)s stay there.",
                     deployment=deployment_id, old=old.name, new=new.name))  # fmt: skip

    @group.command("registration-url")
    @click.option("--school", required=True, help="School the new deployment belongs to.")
    @click.option("--days", default=7, show_default=True, help="Days the URL stays valid.")
    def registration_url(school: str, days: int) -> None:
        """A one-time URL for LTI Dynamic Registration (paste it into Moodle/Canvas)."""
        from flask import current_app

        from lti.dynamic_registration import create_code

        code = create_code(school, days)
        db.session.commit()
        click.echo(f"{current_app.config['PUBLIC_BASE_URL']}/lti/register?code={code}")

    @group.command("rotate-key")
    def rotate_key() -> None:
        """Start signing with a new key; the old one stays published for the grace period."""
        key = keys.rotate_key()
        db.session.commit()
        click.echo(_("New tool key %(kid)s.", kid=key.kid))

    app.cli.add_command(group)


class _errors:
    """Turn bad input into a clean CLI error and roll back."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, _tb) -> bool:
        if error is None:
            return False
        db.session.rollback()
        if isinstance(error, services.RegistrationError | json.JSONDecodeError | KeyError):
            click.echo(_("Error: %(error)s", error=error), err=True)
            sys.exit(1)
        return False

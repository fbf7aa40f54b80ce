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
from plugin.inputs import parse_int


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
    @click.option("--page-origin", "page_origins", multiple=True,
                  help="Origin the platform shows its pages at, if not its login host "
                       "(repeatable), e.g. https://school.instructure.com.")  # fmt: skip
    def add_platform(
        deployment_id: str, school: str, ib_roles: tuple, page_origins: tuple, **fields
    ) -> None:
        """Register a platform (or update it) and link a deployment to a school."""
        with _errors():
            services.valid_deployment_id(deployment_id)
            registration = services.upsert_registration(
                **fields, ib_roles=list(ib_roles) if ib_roles else None,
                page_origins=list(page_origins) if page_origins else None,
            )  # fmt: skip
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
    @click.argument("source", type=click.File("rb"), default="-")
    def import_(source) -> None:
        """Read registrations from JSON (as written by ``lti export``); existing ones update."""
        with _errors():
            count = services.import_registrations(_read_json(source))
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
    @click.option("--days", default="7", show_default=True, help="Days the URL stays valid (1-90).")
    def registration_url(school: str, days: str) -> None:
        """A one-time URL for LTI Dynamic Registration (paste it into Moodle/Canvas)."""
        from flask import current_app

        from lti.dynamic_registration import MAX_CODE_DAYS, create_code

        number = parse_int(days.strip(), 1, MAX_CODE_DAYS)
        if number is None:
            raise click.ClickException(_("--days must be a whole number from 1 to %(max)d.",
                                         max=MAX_CODE_DAYS))  # fmt: skip
        with _errors():
            code = create_code(school, number)
            db.session.commit()
        click.echo(f"{current_app.config['PUBLIC_BASE_URL']}/lti/register?code={code}")

    @group.command("rotate-key")
    def rotate_key() -> None:
        """Start signing with a new key; the old one stays published for the grace period."""
        key = keys.rotate_key()
        db.session.commit()
        click.echo(_("New tool key %(kid)s.", kid=key.kid))

    from lti import cli_maintenance

    cli_maintenance.register(group, _errors)
    app.cli.add_command(group)


def _read_json(source):
    """The JSON in ``source``; a Dutch RegistrationError for a file that is not JSON."""
    try:
        return json.loads(source.read().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise services.RegistrationError(_("The file is not UTF-8 text.")) from error
    except json.JSONDecodeError as error:
        raise services.RegistrationError(
            _(
                "The file is not valid JSON (line %(line)d, column %(column)d).",
                line=error.lineno,
                column=error.colno,
            )  # fmt: skip
        ) from error


class _errors:
    """Turn bad input into a clean CLI error and roll back."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, _tb) -> bool:
        if error is None:
            return False
        db.session.rollback()
        if isinstance(error, services.RegistrationError):
            click.echo(_("Error: %(error)s", error=error), err=True)
            sys.exit(1)
        return False

"""``flask --app wsgi lti ...`` upkeep: page origins, key encryption, expired launch state."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from lti import services
from lti.key_encryption import reencrypt
from lti.models import KeyPair, Registration
from lti.state import purge_expired_state
from plugin.extensions import db


def register(group: AppGroup, errors) -> None:
    @group.command("page-origins")
    @click.option("--issuer", required=True)
    @click.option("--client-id", required=True)
    @click.argument("origins", nargs=-1)
    def page_origins(issuer: str, client_id: str, origins: tuple[str, ...]) -> None:
        """Show, or replace, the origins a platform shows its pages at (frame-ancestors)."""
        registration = db.session.scalars(
            select(Registration).where(
                Registration.issuer == issuer, Registration.client_id == client_id
            )
        ).first()
        if registration is None:
            raise click.ClickException(_("No registration for %(issuer)s.", issuer=issuer))
        if origins:
            with errors():
                registration.page_origins = services.valid_page_origins(list(origins))
                db.session.commit()
        for origin in registration.page_origins:
            click.echo(origin)

    @group.command("reencrypt-keys")
    def reencrypt_keys() -> None:
        """Encrypt every private key with the first key of LTI_KEY_ENCRYPTION_KEYS (after
        adding a new one in front; plain keys from before encryption are encrypted too)."""
        count = 0
        for key in db.session.scalars(select(KeyPair)):
            key.encrypted_private_key = reencrypt(key.encrypted_private_key)
            count += 1
        db.session.commit()
        click.echo(ngettext("Encrypted %(num)d key with the newest encryption key.",
                            "Encrypted %(num)d keys with the newest encryption key.",
                            count))  # fmt: skip

    @group.command("purge-state")
    def purge_state() -> None:
        """Delete expired launch state and sign-out records (run it periodically)."""
        count = purge_expired_state()
        db.session.commit()
        click.echo(ngettext("Deleted %(num)d expired record.", "Deleted %(num)d expired records.",
                            count))  # fmt: skip

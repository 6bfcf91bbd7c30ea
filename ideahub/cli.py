"""The `ideahub` command: Flask's run and db commands, plus IdeaHub's own."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from . import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """IdeaHub management commands."""


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even if the database already has users.")
def seed_demo_command(force: bool) -> None:
    """Fill an empty database with demo departments, people, campaigns and ideas."""
    from flask import current_app

    from .seed import DEMO_PASSWORD, seed_demo

    # Services build links (notices) with url_for, which needs a request context.
    with current_app.test_request_context("/"):
        created = seed_demo(force=force)
    if created is None:
        click.echo("The database already has users: demo data not added again (--force adds it).")
    else:
        click.echo(f"Demo data added: {created}.")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for role, email in (
        ("admin", "admin@ideahub.example"),
        ("CoE member", "coe@ideahub.example"),
        ("expert", "expert@ideahub.example"),
        ("HR", "hr@ideahub.example"),
        ("employee", "employee@ideahub.example"),
    ):
        click.echo(f"  {role:<11} {email}")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(email: str, name: str, password: str) -> None:
    """Create an administrator account (or grant the role to an existing one)."""
    from .admin.services import AccountError, create_or_promote_admin

    try:
        user, created = create_or_promote_admin(email=email, name=name, password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(("Created" if created else "Granted admin to") + f" {user.email}.")


@click.command("reindex")
def reindex_command() -> None:
    """Rebuild this host's search index from the database."""
    from .extensions import db
    from .models import Campaign, Comment, Idea
    from .search import indexer

    total = sum(
        db.session.scalar(db.select(db.func.count()).select_from(m)) or 0
        for m in (Campaign, Idea, Comment)
    )
    with click.progressbar(length=total, label="Indexing") as bar:
        done = indexer.rebuild(progress=bar.update)
    click.echo(f"Indexed {done} campaigns, ideas and comments.")


@click.command("index-changes")
@click.option("--follow", is_flag=True, help="Keep following the change log (one per host).")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
def index_changes_command(follow: bool, interval: float) -> None:
    """Apply pending search changes to this host's index."""
    import time

    from .search import indexer

    while True:
        applied = indexer.catch_up(blocking=True)
        if applied:
            click.echo(f"Applied {applied} changes.")
            continue  # one batch at a time: more may be waiting
        if not follow:
            break
        time.sleep(interval)


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
def backup_command(dest: str) -> None:
    """Write a consistent copy of the database and uploads into DEST."""
    from .backup import BackupError, backup

    try:
        manifest = backup(dest)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {dest}: {manifest['users']} users, {manifest['ideas']} ideas.")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Replace the current data without asking.")
def restore_command(src: str, yes: bool) -> None:
    """Replace the database and uploads with the backup in SRC."""
    from .backup import BackupError, restore

    if not yes:
        click.confirm("This replaces ALL current data with the backup. Continue?", abort=True)
    try:
        manifest = restore(src)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored the backup of {manifest['created_at']}.")


@click.command("send-reminders")
def send_reminders_command() -> None:
    """Email everyone with guidelines due within a week or overdue (once a day at most)."""
    from flask import current_app

    from .hr.reminders import send_reminders

    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        outcome = send_reminders()
    click.echo(
        f"Reminders sent: {len(outcome.sent)}; already reminded today: {len(outcome.skipped)}; "
        f"failed: {len(outcome.failed)}"
    )
    if outcome.failed:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(reindex_command)
    app.cli.add_command(index_changes_command)
    app.cli.add_command(send_reminders_command)

"""HR's dashboard, the people x guidelines grid (also the overdue list) and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import Flask, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..clock import today
from ..pagination import page_number
from ..permissions import can_view_hr
from ..sql import parse_id
from . import bp, records

PEOPLE_PER_PAGE = 50
OVERDUE_ON_DASHBOARD = 20
CELL_STATUSES = (*records.STATUSES, "not_required")


def _require_hr() -> None:
    if not can_view_hr(current_user):
        abort(403)


@bp.route("/")
@login_required
def dashboard() -> str:
    """Completion per guideline version and per department, and who is overdue."""
    _require_hr()
    summary = records.summarise(overdue_listed=OVERDUE_ON_DASHBOARD)
    return render_template("hr/dashboard.html", summary=summary)


@dataclass(frozen=True)
class Filters:
    department_id: int | None
    requirement: str  # a requirement key ("g12", "m3") or ""
    status: str
    q: str

    @classmethod
    def from_args(cls) -> Filters:
        status = request.args.get("status", "")
        return cls(
            department_id=parse_id(request.args.get("department")),
            requirement=(request.args.get("requirement") or "")[:12],
            status=status if status in CELL_STATUSES else "",
            q=(request.args.get("q") or "").strip()[:100],
        )

    def as_args(self) -> dict[str, str | int]:
        args = {
            "department": self.department_id,
            "requirement": self.requirement,
            "status": self.status,
            "q": self.q,
        }
        return {k: v for k, v in args.items() if v}

    def listed(self, in_effect: records.InEffect) -> list[int]:
        """The ids of the people these filters list, by name (records.listed_people)."""
        return records.listed_people(
            self.department_id, self.q, self.status, self.requirement, in_effect
        )


def _grid(
    company: records.Company, listed: list[int], now: date | None = None
) -> Iterator[tuple[records.Person, dict]]:
    """Each listed person of the company with their cells: requirement key -> record, or
    None where the requirement does not apply to them. The records are worked out as the
    rows are taken, a person at a time, as of `now` (today when not given)."""
    wanted = set(listed)
    people = [p for p in company.people if p.id in wanted]
    return _rows_of(people, company.requirements, records.records(company, people, now))


def _rows_of(
    people: list[records.Person],
    requirements: list[records.Requirement],
    found: Iterator[records.Record],
) -> Iterator[tuple[records.Person, dict]]:
    pending = next(found, None)
    for person in people:
        cells: dict[str, records.Record | None] = {r.key: None for r in requirements}
        while pending is not None and pending.person.id == person.id:
            cells[pending.requirement.key] = pending
            pending = next(found, None)
        yield person, cells


@bp.route("/people")
@login_required
def people() -> str:
    """Everyone x every guideline: done, due, overdue or not required; filterable."""
    _require_hr()
    filters = Filters.from_args()
    in_effect = records.requirements_in_effect()  # read once: the filter and the grid's
    listed = filters.listed(in_effect)
    last = max(1, -(-len(listed) // PEOPLE_PER_PAGE))
    number = page_number(request.args.get("page"), maximum=last)  # past the end: the last
    start = (number - 1) * PEOPLE_PER_PAGE
    page = listed[start : start + PEOPLE_PER_PAGE]
    company = records.load(page, in_effect)  # only the page's people
    shown = list(_grid(company, page))
    return render_template(
        "hr/people.html",
        company=company,
        filters=filters,
        rows=shown,
        acks=records.acknowledgments([person.id for person, _cells in shown]),
        passes=records.passes([person.id for person, _cells in shown]),
        total=len(listed),
        number=number,
        last=last,
        statuses=CELL_STATUSES,
    )


def _cell(value: object) -> str:
    """A spreadsheet must not run a value as a formula (CSV injection): prefix it."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


EXPORT_COLUMNS = [
    "email",
    "name",
    "department",
    "guideline",
    "requirement",
    "training_module",
    "guideline_version",
    "status",
    "due_on",
    "acknowledged_version",
    "acknowledged_at",
    "on_behalf",
    "training_score",
    "training_passed_at",
]
EXPORT_ROWS_PER_CHUNK = 1000
EXPORT_PEOPLE_PER_BATCH = 1000


@bp.route("/export.csv")
@login_required
def export() -> Response:
    """One row per person per requirement (the grid's filters apply), for spreadsheets.

    Written as it downloads, a thousand people at a time: each batch's people, records,
    acknowledgments and passes are read (seven queries) on a connection of its own, given
    back before its rows go out, and let go once written. Neither the file (14 MB at 20,000
    people) nor what it is made from (~50 MB there: read at once, a worker kept 30 MB more
    after each export) is ever held whole. Statuses are of the day the file was asked for."""
    _require_hr()
    filters = Filters.from_args()
    in_effect = records.requirements_in_effect()
    listed = filters.listed(in_effect)
    titles = {r.guideline_id: r.title for r in in_effect[0] if r.kind == "acknowledgment"}
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    batches = _export_batches(app, listed, in_effect, today())
    filename = f"ideahub-guideline-records-{today().isoformat()}.csv"
    return Response(
        _csv_chunks(_export_rows(batches, filters, titles)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


Batch = tuple[
    Iterator[tuple[records.Person, dict]],
    dict[tuple[int, str], records.Ack],
    dict[tuple[int, str], records.Pass],
]


def _export_batches(
    app: Flask, listed: list[int], in_effect: records.InEffect, now: date
) -> Iterator[Batch]:
    """The listed people's grid rows, acknowledgments and passes, a batch at a time, each
    read in an app context of its own (so its own session and connection): the request's
    has ended by the time the response is read."""
    for start in range(0, len(listed), EXPORT_PEOPLE_PER_BATCH):
        batch = listed[start : start + EXPORT_PEOPLE_PER_BATCH]
        with app.app_context():
            company = records.load(batch, in_effect)
            acks, passed = records.acknowledgments(batch), records.passes(batch)
        yield _grid(company, batch, now), acks, passed


def _export_rows(
    batches: Iterator[Batch], filters: Filters, titles: dict[int | None, str]
) -> Iterator[list[object]]:
    """The export's rows, batch after batch."""
    yield EXPORT_COLUMNS
    for grid, acks, passed in batches:
        for person, cells in grid:
            for record in cells.values():
                if record is None:
                    continue
                req = record.requirement
                if filters.requirement and req.key != filters.requirement:
                    continue
                if filters.status and record.status != filters.status:
                    continue
                ack = acks.get((person.id, req.key)) if req.kind == "acknowledgment" else None
                done = passed.get((person.id, req.key)) if req.kind == "training" else None
                yield [
                    _cell(person.email),
                    _cell(person.name),
                    _cell(person.department),
                    _cell(titles.get(req.guideline_id, req.title)),
                    req.kind,
                    _cell(req.title) if req.kind == "training" else "",
                    req.version,
                    record.status,
                    record.due_on.isoformat(),
                    ack.version if ack else "",
                    ack.at.isoformat(timespec="seconds") if ack else "",
                    ("yes" if ack.on_behalf else "no") if ack else "",
                    done.score if done else "",
                    done.at.isoformat(timespec="seconds") if done else "",
                ]


def _csv_chunks(rows: Iterator[list[object]]) -> Iterator[str]:
    """CSV text, EXPORT_ROWS_PER_CHUNK rows at a time; first a byte-order mark, so that
    spreadsheet programs read the file as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % EXPORT_ROWS_PER_CHUNK == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    if out.tell():
        yield out.getvalue()


@bp.app_template_filter("record_status_label")
def record_status_label(code: str) -> str:
    return {
        "done": _("Done"),
        "due": _("Due"),
        "overdue": _("Overdue"),
        "not_required": _("Not required"),
    }.get(code, code)

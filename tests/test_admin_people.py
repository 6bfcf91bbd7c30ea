"""Administration's list of accounts: found by name, role, department and status, in pages."""

from __future__ import annotations

import re


def _names(html: str) -> list[str]:
    return re.findall(r'<td data-label="Name:"><a href="[^"]*">([^<]*)</a>', html)


def test_accounts_are_filtered_counted_and_paged(client, login, make_user, make_department):
    sales, ops = make_department("Sales"), make_department("Operations")
    admin = make_user(["admin"], name="Ada Admin", department=ops)
    for i in range(55):
        make_user(name=f"Sam {i:02d}", department=sales)
    make_user(["expert"], name="Eve Expert", department=ops)
    gone = make_user(["coe"], name="Gus Gone", department=sales)
    gone.is_active = False
    login(admin)

    everyone = client.get("/admin/users").get_data(as_text=True)
    assert "58 accounts match." in everyone and "Page 1 of 2" in everyone
    assert len(_names(everyone)) == 50
    last = client.get("/admin/users?page=99").get_data(as_text=True)
    assert "Page 2 of 2" in last and len(_names(last)) == 8  # past the end: the last page

    def names(**args: str) -> list[str]:
        return _names(client.get("/admin/users", query_string=args).get_data(as_text=True))

    assert names(role="expert") == ["Eve Expert"]
    assert names(status="deactivated") == ["Gus Gone"]
    assert names(department=str(ops.id)) == ["Ada Admin", "Eve Expert"]
    assert names(role="coe", status="active") == []
    assert names(q="sam 5", department=str(sales.id)) == [f"Sam 5{i}" for i in range(5)]
    # Unknown values are no filter, never an error.
    assert len(names(role="<x>", department="²", status="maybe")) == 50
    page = client.get("/admin/users", query_string={"role": "expert", "page": "1"}).get_data(
        as_text=True
    )
    assert '<option value="expert" selected>' in page  # the choice is shown as made

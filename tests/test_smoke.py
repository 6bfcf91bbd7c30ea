def test_health(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json == {"status": "ok", "database": "ok"}


def test_home_for_signed_in_user(client, login, make_user, make_idea):
    make_idea(title="Solar roofs for every warehouse")
    login(make_user())
    r = client.get("/")
    assert r.status_code == 200
    assert "Solar roofs for every warehouse" in r.get_data(as_text=True)


def test_every_template_compiles_before_the_workers_fork(app):
    """wsgi.py compiles them all in gunicorn's master, for the workers to share."""
    from ideahub import precompile_templates

    names = app.jinja_env.list_templates(extensions=["html"])
    assert "base.html" in names and "ideas/show.html" in names
    assert precompile_templates(app) == len(names)
    assert len(app.jinja_env.cache) >= len(names)


def test_the_demo_data_make_run_shows(app, client, login):
    """`make run` seeds the demo: every demo account's home page works, and the demo chair's
    board shows the idea they scored and seals the ones they have yet to."""
    from ideahub.extensions import db
    from ideahub.models import Panel, User
    from ideahub.seed import seed_demo

    with app.test_request_context():
        assert seed_demo() is not None
        assert seed_demo() is None  # once: a database with people is left alone
    for email in ("admin", "coe", "expert", "hr", "employee"):
        user = db.session.scalar(db.select(User).where(User.email == f"{email}@ideahub.example"))
        login(user)
        assert client.get("/").status_code == 200
    panel = db.session.scalar(db.select(Panel))
    assert panel.chair.email == "expert@ideahub.example"
    login(panel.chair)
    board = client.get(f"/campaigns/{panel.campaign_id}/panel/board").get_data(as_text=True)
    assert board.count("Weighted score:") == 1 and board.count("stay sealed from you") == 2

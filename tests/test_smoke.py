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

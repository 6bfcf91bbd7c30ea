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

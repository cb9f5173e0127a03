"""Credentials in a feed URL (`http://alice:s3cret@host/feed`) or in ~/.netrc are sent as HTTP
Basic auth, dropped on a redirect to another host, and never printed or exported in clear."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.support.feedserver import FeedServer, Route, _Handler, rss
from wirereader.core.redact import redact

SECRET = "s3cret"
GOOD = "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()
FEED = rss("Members", [{"guid": "m1", "title": "For members", "description": "Inside."}])


def members_only(h: _Handler) -> None:
    if h.headers.get("Authorization") != GOOD:
        h.send(401, b"who are you?", "text/plain", {"WWW-Authenticate": 'Basic realm="x"'})
        return
    h.send(200, FEED, "application/rss+xml")


def with_secret(url: str) -> str:
    return url.replace("http://", f"http://alice:{SECRET}@")


def test_the_password_is_sent_and_never_shown(cli, server: FeedServer, db_path: Path) -> None:
    server.routes["/members.xml"] = members_only
    url = with_secret(server.url("/members.xml"))
    added = cli("add", url)
    assert added.code == 0, added.err
    assert "alice:***@" in added.out and SECRET not in added.out + added.err
    shown = [
        cli("feeds"),
        cli("feeds", "--json"),
        cli("fetch", "--force"),
        cli("export", "--format", "json"),
        cli("export", "--format", "opml"),
    ]
    for result in shown:
        assert result.code == 0, result.err
        assert SECRET not in result.out + result.err
    assert json.loads(shown[1].out)[0]["url"] == redact(url)
    assert [e["title"] for e in json.loads(cli("entries", "--json").out)] == ["For members"]
    # An error line names the URL without the password.
    server.routes["/members.xml"] = Route(b"down", status=500)
    failed = cli("fetch", "--force")
    assert failed.code != 0
    assert "alice:***@" in failed.err and SECRET not in failed.err + failed.out
    assert SECRET not in cli("feeds", "--json").out


def test_a_redirect_to_another_host_drops_the_password(cli, server: FeedServer) -> None:
    server.routes["/moved.xml"] = Route(
        b"", status=302, headers={"Location": server.url("/elsewhere.xml", host="localhost")}
    )
    server.routes["/elsewhere.xml"] = Route(FEED, content_type="application/rss+xml")
    assert cli("add", with_secret(server.url("/moved.xml"))).code == 0
    first = server.hits("/moved.xml")[0]
    there = server.hits("/elsewhere.xml")[0]
    assert first.headers.get("Authorization") == GOOD
    assert "Authorization" not in there.headers


def test_credentials_come_from_netrc(cli, server: FeedServer, tmp_path: Path) -> None:
    server.routes["/members.xml"] = members_only
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login alice password {SECRET}\n")
    netrc.chmod(0o600)
    added = cli("add", server.url("/members.xml"), env={"HOME": str(home)})
    assert added.code == 0, added.err
    assert SECRET not in added.out + added.err
    without = cli("fetch", "--force", env={"HOME": str(tmp_path)})
    assert without.code != 0 and "401" in without.err


def test_redact_hides_only_the_password() -> None:
    assert redact("see https://bob:pa%40ss@x.org/f and http://x.org/") == (
        "see https://bob:***@x.org/f and http://x.org/"
    )
    assert redact("http://x.org/a@b") == "http://x.org/a@b"

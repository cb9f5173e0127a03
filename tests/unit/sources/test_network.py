"""The network as users have it: a real proxy process on 127.0.0.1 (plain HTTP and CONNECT),
NO_PROXY, the certificate store and SSL_CERT_FILE, IDNA 2008, extra headers and cookies."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.support.feedserver import FeedServer, Route, rss
from wirereader.core.config import Config, FeedConfig, load_config
from wirereader.ingest.articles import fetch_articles
from wirereader.ingest.refresh import refresh
from wirereader.sources.fetch import Fetcher, FetchError, FetchSettings
from wirereader.sources.network import Network, NetworkSettings, ascii_host, tls_context
from wirereader.store.db import Store

HERE = Path(__file__).parent
BODY = rss("Harbour news", [{"guid": "a", "title": "Ferry timetable changes", "link": "x"}])


@dataclass
class ProxyProcess:
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict[str, object]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def _start_proxy(tmp_path: Path, *extra: str) -> Iterator[ProxyProcess]:
    log = tmp_path / f"proxy-{len(list(tmp_path.glob('proxy-*')))}.log"
    proc = subprocess.Popen(
        [sys.executable, str(HERE.parent.parent / "support" / "proxyserver.py"), str(log), *extra],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield ProxyProcess(port, log)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[ProxyProcess]:
    yield from _start_proxy(tmp_path)


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def fetcher(network: NetworkSettings | None = None) -> Fetcher:
    return Fetcher(
        FetchSettings(
            timeout=3.0,
            deadline=10.0,
            retries=0,
            backoff=0.01,
            network=network or NetworkSettings(),
        )
    )


# -- proxies ------------------------------------------------------------------------------------


def test_http_proxy_from_the_environment_is_used(
    proxy: ProxyProcess, server: FeedServer, no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/feed"] = Route(BODY)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with fetcher() as f:
        response = f.fetch(server.url("/feed"))
    assert response.body == BODY
    assert proxy.requests() == [{"method": "GET", "target": server.url("/feed"), "auth_ok": True}]
    assert len(server.hits("/feed")) == 1  # the proxy forwarded it


def test_lowercase_variable_wins_and_no_proxy_bypasses(
    proxy: ProxyProcess, server: FeedServer, no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/feed"] = Route(BODY)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("http_proxy", proxy.url)
    with fetcher() as f:
        assert f.fetch(server.url("/feed")).body == BODY
    assert len(proxy.requests()) == 1

    monkeypatch.setenv("NO_PROXY", "example.org, 127.0.0.1")
    with fetcher() as f:
        assert f.fetch(server.url("/feed")).body == BODY
    assert len(proxy.requests()) == 1  # straight to the server this time
    assert len(server.hits("/feed")) == 2


def test_config_proxy_overrides_the_environment_and_its_password_stays_secret(
    tmp_path: Path, server: FeedServer, no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/feed"] = Route(BODY)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    for locked in _start_proxy(tmp_path, "--auth", "ada:s3cret-pw"):
        good = NetworkSettings(proxy=f"http://ada:s3cret-pw@127.0.0.1:{locked.port}")
        with fetcher(good) as f:
            assert f.fetch(server.url("/feed")).body == BODY
        bad = NetworkSettings(proxy=f"http://ada:wrong-pw@127.0.0.1:{locked.port}")
        with fetcher(bad) as f, pytest.raises(FetchError) as failure:
            f.fetch(server.url("/feed"))
        assert "407" in str(failure.value)
        assert "wrong-pw" not in str(failure.value) and "s3cret" not in str(failure.value)
        # It said only "HTTP 407 Proxy Authentication Required": where do credentials go?
        assert "given in its URL as USER:PASSWORD@ before the host" in str(failure.value)
        assert [r["auth_ok"] for r in locked.requests()] == [True, False]
        # an HTTPS URL through the same proxy: the CONNECT is refused, the message names the
        # proxy without its password
        with fetcher(bad) as f, pytest.raises(FetchError) as tunnel:
            f.fetch(f"https://127.0.0.1:{server.port}/feed")
        assert f"proxy http://127.0.0.1:{locked.port} refused the tunnel (407" in str(tunnel.value)
        assert "wrong-pw" not in str(tunnel.value)
    direct = NetworkSettings(proxy="none")
    with fetcher(direct) as f:
        assert f.fetch(server.url("/feed")).body == BODY


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[FeedServer, Path]]:
    """The test server speaking TLS with a certificate from a throwaway CA (its PEM file)."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = tmp_path / "company-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = FeedServer()
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    server.start()
    try:
        yield server, ca_file
    finally:
        server.stop()


def test_https_goes_through_connect_and_trusts_ssl_cert_file(
    proxy: ProxyProcess,
    https_server: tuple[FeedServer, Path],
    no_proxy_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, ca_file = https_server
    server.routes["/feed"] = Route(BODY)
    url = f"https://127.0.0.1:{server.port}/feed"
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with fetcher() as f:
        assert f.fetch(url).body == BODY
    # the proxy saw a tunnel, never the request itself
    assert proxy.requests() == [
        {"method": "CONNECT", "target": f"127.0.0.1:{server.port}", "auth_ok": True}
    ]
    assert server.hits("/feed")[0].headers["Host"] == f"127.0.0.1:{server.port}"
    # without the company CA the certificate is rejected, in one line
    monkeypatch.setenv("SSL_CERT_FILE", str(HERE / "no-such-ca.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(HERE / "no-such-dir"))
    with fetcher() as f, pytest.raises(FetchError) as failure:
        f.fetch(url)
    assert "TLS certificate rejected" in str(failure.value)


def test_without_ssl_cert_file_the_os_store_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import truststore

    assert isinstance(tls_context({}), truststore.SSLContext)
    # a variable naming a real file wins (OpenSSL and every Python client read it)
    bundle = ssl.get_default_verify_paths().cafile or ssl.get_default_verify_paths().openssl_cafile
    if bundle and os.path.isfile(bundle):
        chosen = tls_context({"SSL_CERT_FILE": bundle})
        assert not isinstance(chosen, truststore.SSLContext)
        assert chosen.cert_store_stats()["x509_ca"] > 0


# -- IDNA 2008 ----------------------------------------------------------------------------------


def test_international_names_use_idna_2008(
    proxy: ProxyProcess, no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ascii_host("faß.de") == "xn--fa-hia.de"  # IDNA 2003 would give fass.de
    assert ascii_host("Bücher.example") == "xn--bcher-kva.example"
    assert ascii_host("straße.de") != "strasse.de"
    with pytest.raises(ValueError):
        ascii_host("a\u200db.example")  # a joiner IDNA 2008 forbids here
    # what goes on the wire, as the proxy saw it (the proxy refuses hosts other than ours)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with fetcher() as f, pytest.raises(FetchError) as refused:
        f.fetch("http://faß.de/news/feed.xml")
    assert "HTTP 403" in str(refused.value)
    assert proxy.requests()[0]["target"] == "http://xn--fa-hia.de/news/feed.xml"


# -- extra headers and cookies ------------------------------------------------------------------


def test_headers_per_host_and_per_feed_and_cookies(
    server: FeedServer, tmp_path: Path, no_proxy_env: None
) -> None:
    server.routes["/private.xml"] = Route(BODY)
    server.routes["/public.xml"] = Route(BODY)
    cookies = tmp_path / "cookies.txt"
    cookies.write_text(
        "# Netscape HTTP Cookie File\n"
        "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tcookie-secret-1\n"
        "127.0.0.1\tFALSE\t/private.xml\tFALSE\t4102444800\tpaywall\tcookie-secret-2\n"
        "other.example\tTRUE\t/\tFALSE\t0\tforeign\tnot-for-us\n"
    )
    settings = NetworkSettings(
        cookies=str(cookies),
        host_headers=(("127.0.0.1", (("X-Api-Key", "host-secret"),)),),
        url_headers=((server.url("/private.xml"), (("Authorization", "Bearer feed-secret"),)),),
    )
    with fetcher(settings) as f:
        f.fetch(server.url("/private.xml"))
        f.fetch(server.url("/public.xml"))
        f.fetch(server.url("/public.xml", host="localhost"))
    private, public, other_host = (r.headers for r in server.requests)
    assert private["X-Api-Key"] == "host-secret"
    assert private["Authorization"] == "Bearer feed-secret"
    assert private["Cookie"] == "paywall=cookie-secret-2; session=cookie-secret-1"
    assert public["X-Api-Key"] == "host-secret" and "Authorization" not in public
    assert public["Cookie"] == "session=cookie-secret-1"
    assert "X-Api-Key" not in other_host and "Cookie" not in other_host


def test_a_bad_cookies_file_is_one_line_naming_the_file(server: FeedServer, tmp_path: Path) -> None:
    server.routes["/feed"] = Route(BODY)
    junk = tmp_path / "cookies.txt"
    junk.write_text("this is not a cookies file\n")
    with fetcher(NetworkSettings(cookies=str(junk))) as f, pytest.raises(FetchError) as failure:
        f.fetch(server.url("/feed"))
    assert str(failure.value).endswith(f"cookies file {junk}: not a Netscape cookies.txt file")
    missing = tmp_path / "gone.txt"
    with fetcher(NetworkSettings(cookies=str(missing))) as f, pytest.raises(FetchError) as gone:
        f.fetch(server.url("/feed"))
    assert f"cookies file {missing}: no such file" in str(gone.value)


def test_secrets_from_the_config_are_sent_but_never_shown(
    server: FeedServer, tmp_path: Path, cli, no_proxy_env: None
) -> None:
    server.routes["/feed.xml"] = Route(BODY)
    server.routes["/gone.xml"] = Route(b"no", status=500)
    config = tmp_path / "config.toml"
    config.write_text(
        '[fetch]\nproxy = "none"\n'
        '[fetch.headers]\n"127.0.0.1" = { "X-Api-Key" = "host-secret" }\n'
        f'[[feeds]]\nurl = "{server.url("/feed.xml")}"\nname = "private"\n'
        'headers = { Authorization = "Bearer feed-secret" }\n'
        f'[[feeds]]\nurl = "{server.url("/gone.xml")}"\nname = "broken"\n'
        'headers = { Authorization = "Bearer other-secret" }\n'
    )
    cfg = load_config(config)
    assert "feed-secret" not in repr(cfg) and "host-secret" not in repr(cfg)
    env = {"WIREREADER_CONFIG": str(config)}
    fetched = cli("fetch", "--json", env=env)
    seen = server.hits("/feed.xml")[0].headers
    assert seen["Authorization"] == "Bearer feed-secret" and seen["X-Api-Key"] == "host-secret"
    outputs = [fetched, cli("feeds", "--json", env=env), cli("export", "--format", "json", env=env)]
    outputs.append(cli("export", "--format", "opml", env=env))
    for result in outputs:
        for secret in ("feed-secret", "host-secret", "other-secret"):
            assert secret not in result.out + result.err


def test_a_refresh_and_its_articles_go_through_the_proxy(
    proxy: ProxyProcess, server: FeedServer, db_path: Path, no_proxy_env: None
) -> None:
    article = (
        "<html><head><title>Bridge</title></head><body><article><h1>Bridge reopens</h1>"
        + "<p>The harbour bridge reopened to traffic on Friday after six months of repairs, the "
        "council said, and the ferry timetable returns to its winter pattern.</p>"
        * 4
        + "</article></body></html>"
    ).encode()
    server.routes["/news/bridge"] = Route(article, content_type="text/html; charset=utf-8")
    items = [{"guid": "b", "title": "Bridge reopens", "link": server.url("/news/bridge"),
              "description": "The bridge reopened…"}]  # fmt: skip
    server.routes["/feed.xml"] = Route(rss("Teasers", items))
    cfg = Config(proxy=proxy.url, feeds=[FeedConfig(url=server.url("/feed.xml"), name="t")])
    with Store(db_path) as store:
        report = refresh(store, cfg)
        assert report.new and not report.failures
        articles = fetch_articles(store, cfg)
        assert articles.fetched == 1, articles.failed
    targets = [r["target"] for r in proxy.requests()]
    assert targets == [server.url("/feed.xml"), server.url("/news/bridge")]


def test_a_bad_proxy_setting_is_one_line() -> None:
    network = Network(NetworkSettings(proxy="socks5://ada:pw@127.0.0.1:1080"))
    with pytest.raises(ValueError) as failure:
        network.proxy_for("http", "example.org", 80)
    assert str(failure.value) == (
        "proxy socks5://127.0.0.1: only http:// proxies are supported (HTTPS goes through CONNECT)"
    )


def test_no_proxy_syntax() -> None:
    from wirereader.sources.network import bypasses

    rules = "localhost, .corp.example, example.org:8443, 10.0.0.0/8, [::1]"
    assert bypasses(rules, "news.corp.example", 443)
    assert bypasses(rules, "corp.example", 80)
    assert not bypasses(rules, "notcorp.example", 80)
    assert bypasses(rules, "example.org", 8443) and not bypasses(rules, "example.org", 443)
    assert bypasses(rules, "10.20.30.40", 80) and not bypasses(rules, "11.0.0.1", 80)
    assert bypasses(rules, "::1", 80) and bypasses(rules, "localhost", 3000)
    assert bypasses("*", "anything.example", 80) and not bypasses("", "x.example", 80)


def test_a_proxy_variable_that_is_not_a_url_is_one_line_without_its_password(
    server: FeedServer, no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # urlsplit's ValueError came out as "internal error (ValueError: Invalid IPv6 URL)".
    server.routes["/feed"] = Route(BODY)
    monkeypatch.setenv("HTTP_PROXY", "http://ada:s3cret-pw@[127.0.0.1:3128")
    with fetcher() as f, pytest.raises(FetchError) as failure:
        f.fetch(server.url("/feed"))
    said = str(failure.value)
    assert "proxy setting is not a URL such as 'http://proxy.example:3128'" in said
    assert "s3cret" not in said and "ValueError" not in said
    assert not server.hits("/feed")

"""The TOML config: defaults, every option, and clear errors naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import REPO
from wirereader.core.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_example_config_is_valid_and_documents_defaults() -> None:
    cfg = load_config(REPO / "config.example.toml", required=True)
    assert cfg.warnings == []
    assert cfg.interval == 900 and cfg.concurrency == 8 and cfg.per_host == 2


def test_missing_default_config_gives_defaults(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "absent.toml")
    assert cfg.feeds == [] and cfg.path is None


def test_feeds_topics_keys(tmp_path: Path) -> None:
    cfg = load_config(
        write(
            tmp_path,
            '[[feeds]]\nurl = "https://example.org/rss"\nname = "ex"\ninterval = "5m"\n'
            'full_text = "never"\n[topics]\nukraine = "+place:Ukraine"\n[keys]\nstar = "x"\n',
        )
    )
    assert cfg.feeds[0].url == "https://example.org/rss" and cfg.feeds[0].interval == 300
    assert cfg.feeds[0].full_text == "never"
    assert cfg.topics == {"ukraine": "+place:Ukraine"} and cfg.keys == {"star": "x"}


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[fetch]\ntimeout = 20\nconcurrency = = 3\n")
    with pytest.raises(ConfigError, match=rf"^{path}: invalid TOML: .*line 3"):
        load_config(path)


def test_wrong_value_names_line_and_expectation(tmp_path: Path) -> None:
    path = write(tmp_path, '[general]\ntimezone = "UTC"\n\n[fetch]\nconcurrency = "many"\n')
    with pytest.raises(ConfigError, match=rf"^{path}:5: 'concurrency' should be a whole number"):
        load_config(path)
    path = write(tmp_path, '[[feeds]]\nurl = "x"\nfull_text = "sometimes"\n')
    with pytest.raises(ConfigError, match=r":3: 'full_text' should be 'auto', 'always' or"):
        load_config(path)


def test_an_error_in_a_feed_names_that_feeds_line(tmp_path: Path) -> None:
    # The first line with the key anywhere was named: the interval of a feed before it, or the
    # general interval.
    text = (
        '[general]\ninterval = "10m"\n\n[[feeds]]\nurl = "http://a.test/"\ninterval = "5m"\n\n'
        '[[feeds]]\nurl = "http://b.test/"\ninterval = "soon"\n'
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=rf"^{path}:10: 'interval' should be a duration"):
        load_config(path)
    path = write(tmp_path, '[[feeds]]\nurl = "http://a.test/"\n\n[[feeds]]\nname = "b"\n')
    with pytest.raises(ConfigError, match=rf"^{path}:4: each \[\[feeds\]\] needs a 'url'"):
        load_config(path)
    path = write(tmp_path, '[[feeds]]\nurl = "http://a.test/"\n[[feeds]]\nurl = 3\n')
    with pytest.raises(ConfigError, match=rf"^{path}:4: 'url' should be"):
        load_config(path)
    cfg = load_config(
        write(tmp_path, '[[feeds]]\nurl = "http://a.test/"\n[[feeds]]\nurl = "b"\nx = 1\n')
    )
    assert any(":5: unknown key 'feeds.x'" in w for w in cfg.warnings)


def test_unknown_keys_are_warned_about(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "[fetch]\nconcurency = 3\n[colours]\nx = 1\n"))
    assert any("fetch.concurency" in w and ":2:" in w for w in cfg.warnings)
    assert any("'colours'" in w for w in cfg.warnings)


def test_cli_reports_a_broken_config_in_one_line(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "[fetch\n")
    result = cli("--config", str(path), "entries")
    assert result.code != 0
    assert result.err.startswith(f"wirereader: {path}: invalid TOML")
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("timeout = 0", "'timeout' should be more than 0, got 0"),
        ("timeout = -5", "'timeout' should be more than 0, got -5"),
        ("max_bytes = -1", "'max_bytes' should be more than 0, got -1"),
        ("concurrency = 0", "'concurrency' should be more than 0, got 0"),
    ],
)
def test_a_number_that_cannot_work_is_named_when_the_config_is_read(
    cli, server, tmp_path: Path, line: str, said: str
) -> None:
    # `timeout = 0` made every socket non-blocking: each fetch failed with "Operation now in
    # progress", and -5 with "Timeout value out of range", naming no setting.
    path = write(tmp_path, f"[fetch]\n{line}\n")
    result = cli("--config", str(path), "add", server.url("/feed.xml"))
    assert result.code == 1
    assert result.err == f"wirereader: {path}:2: {said}\n"


def test_a_duration_longer_than_a_thousand_years_is_not_one(tmp_path: Path) -> None:
    # An interval SQLite cannot hold was an internal error at the first fetch (OverflowError).
    from wirereader.core.config import parse_duration

    assert parse_duration("365000d") == 365_000 * 86400 and parse_duration("0") == 0
    assert parse_duration("365001d") is None and parse_duration(10**20) is None
    path = tmp_path / "config.toml"
    path.write_text(
        '[[feeds]]\nurl = "https://example.org/rss"\ninterval = "99999999999999999999d"\n'
    )
    with pytest.raises(ConfigError, match="'interval' should be a duration"):
        load_config(path)


BROKEN_EVERYWHERE = """\
[general]
timezone = 3

[fetch]
concurrency = 0
timeout = "soon"

[[feeds]]
url = "http://a.test/rss"
interval = "often"
full_text = "maybe"

[[feeds]]
name = "no address"

[keys]
quit = 5

[topics]
quiet = { filter = "", alert = "yes" }
"""


def test_every_wrong_value_of_the_file_is_reported_at_once(tmp_path: Path) -> None:
    # Only the first error was said: a file with ten took ten rounds of fix-and-rerun.
    path = write(tmp_path, BROKEN_EVERYWHERE)
    with pytest.raises(ConfigError) as failure:
        load_config(path)
    assert failure.value.problems == [
        f"{path}:2: 'timezone' should be a zone name such as 'Europe/London', got 3",
        f"{path}:5: 'concurrency' should be more than 0, got 0",
        f"{path}:6: 'timeout' should be seconds, got 'soon'",
        f"{path}:10: 'interval' should be a duration",
        f"{path}:11: 'full_text' should be 'auto', 'always' or 'never'",
        f"{path}:13: each [[feeds]] needs a 'url'",
        f"{path}:17: 'quit' should be a string, got 5",
        f"{path}:20: topic 'quiet' needs a 'filter'",
        f"{path}:20: 'alert' should be true or false",
    ]


def test_the_command_line_says_every_error_one_line_each(cli, tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN_EVERYWHERE)
    result = cli("--config", str(path), "feeds")
    assert result.code == 1 and "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 9
    assert all(line.startswith(f"wirereader: {path}:") for line in lines)
    assert lines[-1] == f"wirereader: {path}:20: 'alert' should be true or false"


def test_a_config_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    # It printed Python's codec message ("can't decode byte 0xe9 in position 31").
    path = tmp_path / "config.toml"
    path.write_bytes(b'[general]\ntimezone = "UTC"\n# caf\xe9\n')
    with pytest.raises(ConfigError) as failure:
        load_config(path)
    assert str(failure.value) == (
        f"{path}:3: not UTF-8 text (byte 0xe9); a config file is TOML, saved as UTF-8"
    )


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("http://ada:s3cret-pw@[127.0.0.1:3128", "proxy setting is not a URL such as"),
        ("socks5://ada:s3cret-pw@127.0.0.1:1080", "proxy socks5://127.0.0.1: only http://"),
        ("http://ada:s3cret-pw@127.0.0.1:99999", "proxy http://127.0.0.1: bad port"),
    ],
)
def test_a_proxy_that_cannot_work_is_named_when_the_config_is_read(
    cli, server, tmp_path: Path, value: str, said: str
) -> None:
    # A proxy that was not a URL was found at the first request: every feed failed with
    # "internal error (ValueError: Invalid IPv6 URL)", counted a failure and waited longer.
    path = write(tmp_path, f'[fetch]\nproxy = "{value}"\n')
    result = cli("--config", str(path), "add", server.url("/feed.xml"))
    assert result.code == 1
    assert result.err.startswith(f"wirereader: {path}:2: {said}")
    assert result.err.count("\n") == 1 and "s3cret" not in result.err
    assert not server.hits("/feed.xml")


def test_a_proxy_turned_off_or_given_as_host_and_port_is_taken(tmp_path: Path) -> None:
    for value in ("none", "direct", "proxy.example:3128", "http://ada:pw@proxy.example:3128"):
        assert load_config(write(tmp_path, f'[fetch]\nproxy = "{value}"\n')).proxy == value


def test_a_zone_or_feed_url_that_cannot_work_is_named_when_the_config_is_read(
    cli, tmp_path: Path
) -> None:
    """A misspelt zone was found by the first command that showed a time, as "config timezone:
    unknown time zone" (no file, no line), and an empty feed URL as "config [[feeds]] empty
    URL" at every command, which went on. Each is now the file and line, and nothing runs."""
    text = (
        '[general]\ntimezone = "Europe/Londn"\n\n'
        '[[feeds]]\nurl = "http://a.test/rss"\ntimezone = "Mars/Base"\n\n'
        '[[feeds]]\nurl = "  "\n'
    )
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as failure:
        load_config(path)
    assert failure.value.problems == [
        f"{path}:2: unknown time zone 'Europe/Londn' (expected a name such as 'Europe/London')",
        f"{path}:6: unknown time zone 'Mars/Base' (expected a name such as 'Europe/London')",
        f"{path}:9: 'url' is empty (a URL or path)",
    ]
    result = cli("--config", str(path), "entries")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.splitlines() == [f"wirereader: {p}" for p in failure.value.problems]
    fine = write(tmp_path, '[general]\ntimezone = ""\n[[feeds]]\nurl = "x"\ntimezone = "UTC"\n')
    assert load_config(fine).feeds[0].timezone == "UTC"

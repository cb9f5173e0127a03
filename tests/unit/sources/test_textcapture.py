"""The live-blog capture parser: the real seed capture, and captures written to test each rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.support.paths import ARTICLE_SEED, LIVEBLOG_SEED
from wirereader.core.model import Kind
from wirereader.sources.context import ParseContext
from wirereader.sources.textcapture import parse_article, parse_capture

LONDON = ZoneInfo("Europe/London")


def parse(text: str, **ctx: object):
    return parse_capture(text, ParseContext("test.txt", **ctx))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def seed():
    text = LIVEBLOG_SEED.read_text("utf-8")
    return parse_capture(text, ParseContext(str(LIVEBLOG_SEED), tz=LONDON))


def timeline(doc):
    return [e for e in doc.entries if e.kind is not Kind.SUMMARY]


def test_seed_has_54_entries_newest_first(seed) -> None:
    entries = timeline(seed)
    assert len(entries) == 54
    assert entries[0].published.strftime("%H:%M") == "16:28"
    assert entries[-1].published.strftime("%H:%M") == "04:39"
    stamps = [e.published for e in entries]
    assert stamps == sorted(stamps, reverse=True)


def test_seed_authors_found_by_rule(seed) -> None:
    assert {e.author for e in timeline(seed)} == {"Alex Croft", "Rebecca Whittaker", "Arpan Rai"}
    by_time = {e.published.strftime("%H:%M"): e for e in timeline(seed)}
    blackout = by_time["15:23"]
    assert blackout.author == "Rebecca Whittaker"
    assert blackout.title == "Ukraine offers assistance to Spain and Portugal blackouts"
    assert blackout.body.startswith("Ukraine is no stranger to power blackouts")
    for entry in timeline(seed):
        assert not entry.body.startswith(entry.author or "\x00"), entry.title


def test_seed_dates_come_from_latest_embed_with_london_offset(seed) -> None:
    for entry in seed.entries:
        assert entry.published.date() == date(2025, 4, 28)
        assert entry.published.utcoffset() == timedelta(hours=1)
    newest = timeline(seed)[0]
    assert newest.published.astimezone(timezone.utc).strftime("%H:%M") == "15:28"


def test_seed_entries_without_body_and_glued_titles(seed) -> None:
    by_time = {e.published.strftime("%H:%M"): e for e in timeline(seed)}
    video = by_time["16:28"]
    assert video.title.startswith("Watch: Trump claims Zelensky ready to give up Crimea")
    assert video.kind is Kind.VIDEO and video.body == ""
    # The next entry's title was glued after the video's author.
    assert by_time["15:40"].title == "Russia launches 166 drones at Ukraine through Monday"
    assert by_time["15:40"].body.startswith("Ukrainian air defences shot down 40")
    assert by_time["14:14"].title.startswith("Trump criticises Putin hours before Kremlin")
    assert by_time["14:14"].body == ""
    assert (
        by_time["14:11"].title == "Trump seeking permanent ceasefire, not temporary - White House"
    )
    assert by_time["12:56"].title == "Why is Russia calling a truce this weekend?"
    assert by_time["11:57"].kind is Kind.GALLERY and by_time["11:57"].body == ""


def test_seed_kinds_from_title_prefixes(seed) -> None:
    kinds = {e.published.strftime("%H:%M"): e.kind for e in timeline(seed)}
    assert kinds["12:20"] is Kind.BREAKING
    assert kinds["14:29"] is Kind.ANALYSIS
    assert kinds["13:14"] is Kind.ANALYSIS
    assert kinds["12:57"] is Kind.MAP
    assert kinds["11:17"] is Kind.GALLERY  # "Pictured:"
    assert kinds["10:31"] is Kind.RECAP
    assert kinds["13:19"] is Kind.REMINDER
    assert kinds["15:23"] is Kind.POST


def test_seed_embeds_become_metadata_not_body_noise(seed) -> None:
    by_time = {e.published.strftime("%H:%M"): e for e in timeline(seed)}
    sybiha = by_time["14:03"]
    assert [q.handle for q in sybiha.quotes] == ["@andrii_sybiha"]
    assert sybiha.quotes[0].author == "Andrii Sybiha"
    assert sybiha.quotes[0].date == "April 28, 2025"
    assert sybiha.quotes[0].text.startswith("If Russia truly wants peace")
    assert sybiha.quotes[0].text.endswith("this is what we are…")
    assert "— Andrii Sybiha" not in sybiha.body and "we are…" not in sybiha.body

    warship = by_time["10:45"]
    assert "pic.twitter.com" not in warship.body
    assert [x.url for x in warship.links] == ["https://pic.twitter.com/nErB8ypgn7"]
    assert warship.quotes[0].handle == "@Lyla_lilas"

    zelensky = by_time["08:46"]
    assert zelensky.quotes[0].date == "April 27, 2025"
    assert zelensky.quotes[0].author == "Volodymyr Zelenskyy"

    crimea = by_time["12:12"]
    assert "Read the full report" not in crimea.body
    assert [x.rel for x in crimea.links] == ["full-report"]
    assert crimea.links[0].title.startswith("Trump suggests Zelensky will let Putin take Crimea")

    heroes = by_time["06:09"]
    assert ".jpg)" not in heroes.body
    for entry in seed.entries:
        for noise in ("pic.twitter.com", ".jpg)", "(@", "Read the full report:"):
            assert noise not in entry.body, (entry.title, noise)


def test_seed_link_card_repeating_the_headline_is_dropped(seed) -> None:
    by_time = {e.published.strftime("%H:%M"): e for e in timeline(seed)}
    entry = by_time["07:08"]
    assert not entry.body.endswith("sent troops to fight for Russia")
    assert entry.links and entry.links[0].rel == "full-report"


def test_seed_header_is_one_summary_entry(seed) -> None:
    summaries = [e for e in seed.entries if e.kind is Kind.SUMMARY]
    assert len(summaries) == 1
    summary = summaries[0]
    assert "## Key Points" in summary.body
    assert "- Breaking: Putin announces three-day ceasefire" in summary.body
    assert summary.title.startswith("Vladimir Putin has announced a temporary ceasefire")


def test_seed_lists_stay_lists(seed) -> None:
    by_time = {e.published.strftime("%H:%M"): e for e in timeline(seed)}
    kursk = by_time["04:49"].body
    assert "\n- Ukrainian forces pushed into Kursk on August 6, 2024" in kursk


# -- captures written for each rule ------------------------------------------------------------

OTHER_NAMES = """\
Storm closes ports along the coast
09:15 , Shaun McDonaldThe harbour master closed three ports on Tuesday morning.
Ferries were held in dock until the wind dropped.
Fishermen count the cost
09:02 , Maria de la Cruz“We lost a week of work,” one skipper said at the quay.
Forecast: gusts of 90 km/h
08:40 , Shaun McDonald90 km/h gusts are expected by noon, the weather office said.
Watch: waves break over the sea wall
08:31 , Jean-Luc O'BrienCouncil opens emergency shelters
08:30 , Jean-Luc O'BrienThe council opened two shelters for people whose homes flooded.
"""


def test_authors_by_rule_on_other_names() -> None:
    doc = parse(OTHER_NAMES, date=date(2024, 1, 9), tz=timezone.utc)
    got = [(e.published.strftime("%H:%M"), e.author, e.title, e.body[:20]) for e in doc.entries]
    assert got == [
        ("09:15", "Shaun McDonald", "Storm closes ports along the coast", "The harbour master c"),
        ("09:02", "Maria de la Cruz", "Fishermen count the cost", "“We lost a week of w"),
        ("08:40", "Shaun McDonald", "Forecast: gusts of 90 km/h", "90 km/h gusts are ex"),
        ("08:31", "Jean-Luc O'Brien", "Watch: waves break over the sea wall", ""),
        ("08:30", "Jean-Luc O'Brien", "Council opens emergency shelters", "The council opened t"),
    ]
    assert doc.entries[3].kind is Kind.VIDEO


PAST_MIDNIGHT = """\
Polls close in the last district
01:10 , Ana SilvaCounting has started in every district.
Turnout passes 60 per cent
00:20 , Ana SilvaTurnout passed 60 per cent an hour before polls closed.
Queues outside city polling stations
23:45 , Tom ReedVoters were still queuing at several stations.
Exit poll due at midnight
22:30 , Tom ReedThe first exit poll will be published at midnight.
"""


def test_blog_running_past_midnight_dates_earlier_entries_the_day_before() -> None:
    tz = ZoneInfo("Europe/Lisbon")
    doc = parse(PAST_MIDNIGHT, date=date(2024, 3, 11), tz=tz)
    got = [e.published.isoformat() for e in doc.entries]
    assert got == [
        "2024-03-11T01:10:00+00:00",
        "2024-03-11T00:20:00+00:00",
        "2024-03-10T23:45:00+00:00",
        "2024-03-10T22:30:00+00:00",
    ]


EMBEDS = """\
Minister responds on social media
14:00 , Lena MüllerThe minister answered critics in a post.
We will rebuild every school, every clinic.
— Jan Novak 🇨🇿 (@jan_novak) May 3, 2024
And we will do it this year. We owe this to…
Read the full report:

Minister promises to rebuild schools within a year
Pictures from the flooded valley
13:30 , Lena Müller
photo_1234.jpg)

Earlier post from the mayor
13:00 , Lena MüllerThe mayor thanked volunteers.
Thank you to every volunteer who came out tonight. pic.twitter.com/AbC123xyz
— Mayor Eva Horn (@mayor_horn) May 2, 2024
"""


def test_embeds_links_and_image_fragments_on_written_capture() -> None:
    doc = parse(EMBEDS, tz=timezone.utc)
    first, pictures, mayor = doc.entries
    # The latest embed (May 3) dates the newest entry.
    assert first.published == datetime(2024, 5, 3, 14, 0, tzinfo=timezone.utc)
    assert first.body == "The minister answered critics in a post."
    quote = first.quotes[0]
    assert quote.author == "Jan Novak" and quote.handle == "@jan_novak"
    assert quote.text == (
        "We will rebuild every school, every clinic.\n\n"
        "And we will do it this year. We owe this to…"
    )
    assert first.links[0].rel == "full-report"
    assert first.links[0].title == "Minister promises to rebuild schools within a year"
    assert pictures.body == "" and pictures.title == "Pictures from the flooded valley"
    assert mayor.body == "The mayor thanked volunteers."
    assert mayor.quotes[0].text == "Thank you to every volunteer who came out tonight."
    assert mayor.links[0].url == "https://pic.twitter.com/AbC123xyz"


def test_date_falls_back_to_file_time_without_embeds() -> None:
    modified = datetime(2023, 7, 1, 12, 0, tzinfo=timezone.utc)
    doc = parse(PAST_MIDNIGHT, tz=timezone.utc, modified=modified)
    assert doc.entries[0].published.date() == date(2023, 7, 1)
    # A day taken from the file is a guess: shown, but not trusted to tell stories apart.
    assert all(e.time_guessed for e in doc.entries)
    dated = parse(PAST_MIDNIGHT, tz=timezone.utc, modified=modified, date=date(2023, 6, 30))
    assert not any(e.time_guessed for e in dated.entries)


def test_article_dated_by_its_file_has_a_guessed_time() -> None:
    modified = datetime(2023, 7, 1, 12, 0, tzinfo=timezone.utc)
    text = ARTICLE_SEED.read_text("utf-8")
    assert (
        parse_article(text, ParseContext("a.txt", None, timezone.utc, modified))
        .entries[0]
        .time_guessed
    )
    given = parse_article(text, ParseContext("a.txt", date(2025, 4, 28), timezone.utc, modified))
    assert not given.entries[0].time_guessed


def test_hostile_text_is_cleaned_at_ingest() -> None:
    capture = (
        "Title \x1b[2J[bold red]x[/] \u202eevil\n"
        "10:00 , Kim ParkBody \x1b]52;c;ZXZpbA==\x07text\x9b31m done\n"
    )
    entry = parse(capture, tz=timezone.utc, date=date(2024, 1, 1)).entries[0]
    assert entry.title == "Title [bold red]x[/] evil"
    assert "\x1b" not in entry.body and "\x07" not in entry.body and "\x9b" not in entry.body
    assert entry.author == "Kim Park"
    assert entry.body == "Body text done"


def test_truncated_capture_keeps_entries_and_warns() -> None:
    doc = parse(PAST_MIDNIGHT + "Next headline\n22:1", tz=timezone.utc, date=date(2024, 1, 1))
    assert len(doc.entries) == 4
    assert any("truncated" in w for w in doc.warnings)


# -- the plain article -------------------------------------------------------------------------


def test_article_seed_is_one_article_with_subheading_and_cut_off_sentence() -> None:
    doc = parse_article(ARTICLE_SEED.read_text("utf-8"), ParseContext(str(ARTICLE_SEED)))
    assert len(doc.entries) == 1
    article = doc.entries[0]
    assert article.kind is Kind.ARTICLE
    assert article.title == "North Korea admits sending troops to Russia"
    assert "\n\n## Russia says it is ‘ready’ to talk to Ukraine without preconditions\n\n" in (
        article.body
    )
    assert article.body.endswith("willingness to halt the three – year offensive")
    assert article.body.startswith("NORTH KOREA: NORTH KOREA confirmed")

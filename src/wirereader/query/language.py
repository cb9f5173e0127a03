"""The small filter language shared by the CLI and the TUI.

    +person:Putin -place:Crimea source:independent since:6h until:2025-04-28 "exact phrase"
    kind:breaking is:unread is:starred thread:12 -word word

Words are full-text (prefix) matches; `+`/`-` on an entity require or exclude it; a bare
`person:X` means `+person:X`. Every word must match, but terms joined by `OR` in capitals
are alternatives: `ebola OR cholera outbreak` is (ebola or cholera) and outbreak, as in a
search engine. Words, phrases and the keyed terms person:, place:, org:, entity:, source:,
kind:, is: and thread: may be joined (`person:Putin OR person:Zelensky`, `source:bbc OR
kyiv`); `-x`, since: and until: may not. `AND` in capitals is dropped (it is what the language
does); `NOT` and `NEAR` in capitals are problems, left out (in lowercase all four are words).
Parsing never fails: anything else not understood is searched as words, and `problems` says
what was not understood.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from wirereader.core.config import parse_duration
from wirereader.core.model import Kind
from wirereader.query.timeline import Alternative, EntityRef, FieldTerm, Filter, fts_words

_KEYED = re.compile(r"^[+-]?\w+:")  # place:"North Korea" is one keyed token, not a phrase
# Search-engine operators, written in capitals as they are there. Every word must match already,
# so AND is what the language does; OR joins alternatives (`_or_groups`); NOT and NEAR it does
# not have. Read as words they searched for something else, silently: `ebola OR` required a
# word starting with "or" and printed nothing. A lowercase `or` is the word.
OPERATORS = {
    "AND": "",
    "NOT": "there is no NOT: write -word to leave a word out",
    "NEAR": 'there is no NEAR: a "quoted phrase" matches words side by side',
}
OR = "OR"
ENTITY_KINDS = {"person": "person", "place": "place", "org": "org", "entity": ""}
KINDS = tuple(kind.value for kind in Kind)


@dataclass
class Parsed:
    filter: Filter
    problems: list[str] = field(default_factory=list)
    hint: str = ""  # while typing: what the unfinished last term wants ('person:' -> a name)


# An apostrophe inside a word (O'Brien, Côte d'Ivoire, don't) is part of it, not a quote:
# `person:O'Brien` was cut at the apostrophe ("no person called 'O'"), and two such names in
# one filter quoted the text between them. It stands in for the apostrophe while lexing.
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_KEPT_APOSTROPHE = "\ue000"


# A keyed term's quoted value still open at the end: `place:"North Korea` being typed (or its
# closing quote forgotten) was 'place:' with nothing after it, a problem while still typing.
_OPEN_VALUE = re.compile(r'(?:^|\s)[+-]?\w+:"[^"]*$')


# A keyed term with its quoted value closed (`person:"Kim Jong Un"`), between blanks. An
# unbalanced quote elsewhere in the filter (`"bird flu person:"Kim Jong Un"`) turned it into
# words ('person:Kim', 'Jong', 'Un'): such a term stays a term while the other quotes go.
_CLOSED_VALUE = re.compile(r"""(?:^|(?<=\s))[+-]?\w+:(?:"[^"]*"|'[^']*')(?=\s|$)""")
_HELD = "\ue001"  # stands in for a closed keyed term while the rest loses its quotes
_HELD_TERM = re.compile(f"{_HELD}(\\d+){_HELD}")


def _tokens(text: str) -> tuple[list[str], str]:
    """Shell-like tokens: a quoted phrase is one token; an unbalanced quote is ignored, except
    that a keyed term's open quoted value ends before the next keyed term or runs to the end,
    and a closed one stays one term. Also the text as read when a keyed term's value was
    closed before the next term ('' otherwise): the reader shows it."""
    text = _APOSTROPHE.sub(_KEPT_APOSTROPHE, text)
    closed = _OPEN_BEFORE_TERM.sub(lambda m: m.group() + m.group(1), text)
    read_as = closed if closed != text else ""
    tokens: list[str] | None = None
    try:
        tokens = _lexed(closed)
    except ValueError:  # unbalanced quote while the user is still typing
        if _OPEN_VALUE.search(closed):
            with contextlib.suppress(ValueError):
                tokens = _lexed(closed + '"')
                read_as = read_as and closed.rstrip() + '"'
    if tokens is None:
        tokens = _without_quotes(closed)
    return (
        [token.replace(_KEPT_APOSTROPHE, "'") for token in tokens],
        read_as.replace(_KEPT_APOSTROPHE, "'"),
    )


def _without_quotes(text: str) -> list[str]:
    """The words of `text` with its quotes ignored, but for its closed keyed terms, each kept
    as one token (as the lexer gives it: `person:Kim Jong Un`)."""
    held: list[str] = []

    def hold(match: re.Match[str]) -> str:
        try:
            (term,) = _lexed(match.group())
        except ValueError:  # (a backslash before its closing quote)
            return match.group()
        held.append(term)
        return f"{_HELD}{len(held) - 1}{_HELD}"

    rest = _CLOSED_VALUE.sub(hold, text)
    words = rest.replace('"', " ").replace("'", " ").split()
    return [
        held[int(m[1])] if (m := _HELD_TERM.fullmatch(w)) and int(m[1]) < len(held) else w
        for w in words
    ]


def _lexed(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def parse(
    text: str, base: Filter | None = None, now: float | None = None, *, typing: bool = False
) -> Parsed:
    """`text` in the query language over `base`. With `typing` (the reader's filter box, the
    cursor at the end of the text), the last term is still being typed: it is never a problem
    (`kind:bre` on the way to kind:breaking, `OR` on the way to ORANGE or to `a OR person:X`,
    whose OR could not join 'person:' yet). A keyed term with nothing after its colon yet
    ('person:') or a value that makes no sense yet has a quiet `hint` instead. The filter is
    the same either way."""
    f = base or Filter()
    problems: list[str] = []
    words: list[str] = list(f.words)
    phrases: list[str] = list(f.phrases)
    changes: dict[str, object] = {}
    lists: dict[str, list] = {
        "entities": list(f.entities),
        "exclude_entities": list(f.exclude_entities),
        "sources": list(f.sources),
        "exclude_sources": list(f.exclude_sources),
        "kinds": list(f.kinds),
        "exclude_kinds": list(f.exclude_kinds),
        "exclude_words": list(f.exclude_words),
    }
    raw, read_as = _tokens(text)
    # The token the cursor is at the end of (nothing typed after it, not even a blank).
    typed = typing and bool(raw) and not text[-1].isspace()
    typed = typed and text.rstrip("\"'").endswith(raw[-1])
    tokens, groups, open_term = _or_groups(raw, problems, typed=typed)
    any_of = list(f.any_of) + groups
    hint = ""
    for index, token in enumerate(tokens):
        # The term being typed is never a problem: what it would be is its quiet hint.
        wants = _read_term(
            token, [] if index == open_term else problems, words, phrases, lists, changes, now
        )
        hint = wants if index == open_term else hint
    hint = hint or (f"read as {read_as}" if read_as else "")
    fields: dict[str, Any] = {k: tuple(v) for k, v in lists.items()}
    fields.update(changes, words=tuple(words), phrases=tuple(phrases), any_of=tuple(any_of))
    return Parsed(replace(f, **fields), problems, hint)


def _read_term(
    token: str,
    problems: list[str],
    words: list[str],
    phrases: list[str],
    lists: dict[str, list],
    changes: dict[str, object],
    now: float | None,
) -> str:
    """Read one token (not an OR group's) into the filter's parts or `problems`. Returns what
    the term wants when it is not yet a term ('e.g. person:Putin', 'expected a kind (...)'),
    the reader's hint while it is the one being typed; '' otherwise."""
    if " " in token and not _KEYED.match(token):  # a quoted phrase ("exact phrase")
        phrases.append(token)
        return ""
    if token in OPERATORS:
        if OPERATORS[token]:
            word = token.lower()
            problems.append(f"'{token}': {OPERATORS[token]}; '{word}' searches for the word")
        return ""
    sign = ""
    if token[:1] in "+-" and len(token) > 1:
        sign, token = token[0], token[1:]
    key, sep, value = token.partition(":")
    key = key.lower()
    term = _term(key, value) if sep and value else None
    if sep and not value and key in EXAMPLES:
        problems.append(f"'{sign}{token}': nothing after '{key}:' (write {EXAMPLES[key]})")
        return f"e.g. {sign}{EXAMPLES[key]}"
    if isinstance(term, str):
        problems.append(f"'{token}': {term}")
        return term
    if sign == "-" and key in UNSIGNED:
        problems.append(f"'-{token}': {UNSIGNED[key]}")
        return UNSIGNED[key]
    if isinstance(term, EntityRef):
        lists["exclude_entities" if sign == "-" else "entities"].append(term)
    elif isinstance(term, FieldTerm) and term.key in ("source", "kind"):
        lists[("exclude_" if sign == "-" else "") + term.key + "s"].append(term.value)
    elif isinstance(term, FieldTerm) and term.key == "is":
        changes["unread_only" if term.value == "unread" else "starred_only"] = True
    elif isinstance(term, FieldTerm) and term.key == "thread":
        changes["thread_id"] = int(term.value)
    elif sep and value and key in ("since", "until"):
        moment = _moment(value, now)
        if moment is None:
            wanted = "expected a duration (6h, 2d) or a date (2025-04-28)"
            problems.append(f"'{token}': {wanted}")
            return wanted
        changes[key] = moment
    elif sign == "-":
        lists["exclude_words"] += fts_words(token)
    else:
        words += fts_words(token)
    return ""


# Keyed terms that a `-` cannot turn around: `-is:starred` gave the starred items, silently.
UNSIGNED = {
    "is": "is: cannot be left out (is:unread and is:starred narrow; there is no is:read)",
    "thread": "a thread cannot be left out (thread:N shows one thread)",
    "since": "write until: for the entries before a time",
    "until": "write since: for the entries after a time",
}
# A keyed term written with nothing after its colon: `entries "person:$WHO"` with $WHO empty
# searched for the word 'person' and printed what it found, as if it were the person's items.
EXAMPLES = {
    "person": "person:Putin",
    "place": "place:Kyiv",
    "org": "org:NATO",
    "entity": "entity:NATO",
    "source": "source:bbc",
    "kind": "kind:breaking",
    "is": "is:unread",
    "thread": "thread:12",
    "since": "since:6h",
    "until": "until:2025-04-28",
}
# A keyed term's quoted value left open before the next keyed term: `person:"Kim place:"North
# Korea"` (the quote after Kim forgotten) was 'person:' with nothing after it, and the word Kim;
# `person:"Kim place:"North Korea` a person called 'Kim place:North'. The value ends there.
_OPEN_BEFORE_TERM = re.compile(
    rf"""(?:^|(?<=\s))[+-]?\w+:(["'])(?:(?!\1).)*?(?=\s+[+-]?(?:{"|".join(EXAMPLES)}):)""",
    re.IGNORECASE,
)
# What `OR` may join besides words and phrases (since: and until: are bounds, not matches).
ALTERNATIVE_KEYS = (*ENTITY_KINDS, "source", "kind", "is", "thread")


def _term(key: str, value: str) -> EntityRef | FieldTerm | str | None:
    """A keyed term's value: an entity, another term, a problem (a string) when the value
    makes no sense for the key, or None when the key is none the language knows (words)."""
    if key in ENTITY_KINDS:
        return EntityRef(value.replace("_", " "), ENTITY_KINDS[key])
    if key == "source":
        return FieldTerm("source", value)
    if key == "kind":
        if value.lower() in KINDS:
            return FieldTerm("kind", value.lower())
        return f"expected a kind ({', '.join(KINDS)})"
    if key == "is":
        if value.lower() in ("unread", "new"):
            return FieldTerm("is", "unread")
        if value.lower() == "starred":
            return FieldTerm("is", "starred")
        return "expected is:unread or is:starred"
    if key == "thread":
        # isdecimal: `thread:²` passed isdigit and int() raised; SQLite holds 63 bits
        if value.isdecimal() and int(value) < 2**63:
            return FieldTerm("thread", str(int(value)))
        return "expected a thread number"
    return None


def _alternative(token: str) -> Alternative | None:
    """What `token` is as an alternative of an OR group, or None when it cannot be one: a
    word or a quoted phrase (its words joined by spaces), an entity, `source:`, `kind:`, `is:`
    or `thread:` (a `+` changes nothing); not `-x`, `since:`/`until:`, a bad value, an operator.
    """
    if token in OPERATORS or token == OR or token[:1] == "-":
        return None
    if _KEYED.match(token):
        key, _, value = token.removeprefix("+").partition(":")
        term = _term(key.lower(), value) if value else None
        if isinstance(term, (EntityRef, FieldTerm)):
            return term
        if term is not None or key.lower() in ALTERNATIVE_KEYS or key.lower() in UNSIGNED:
            return None
    return " ".join(fts_words(token)) or None  # `+word` is the word, as outside a group


def _or_groups(
    tokens: list[str], problems: list[str], *, typed: bool = False
) -> tuple[list[str], list[tuple[Alternative, ...]], int | None]:
    """Split off the alternatives joined by `OR`: (the other tokens, the groups, the index
    among the other tokens of the last token when it is one of them and `typed`).

    `typed`: the last token is still being typed, so nothing it does is a problem yet (an `OR`
    that may become ORANGE, the 'person:' of `a OR person:` that OR cannot join until the name
    is there); the command line never passes it.

    OR binds its two neighbours, tighter than the implicit AND between tokens, as search
    engines read it: `ebola OR cholera outbreak` is one group (ebola, cholera) and the word
    outbreak. A word or phrase alternative is kept as its words joined by spaces: one word
    matches as a prefix, several (a quoted phrase, `covid-19`) as the exact phrase. A keyed
    alternative is its term: `person:Putin OR person:Zelensky` is either person, `source:bbc
    OR kyiv` either the source or the word. An OR with nothing it may join on one side is a
    problem and is left out, so `ebola OR` searches for ebola."""
    rest: list[str] = []
    groups: list[list[Alternative]] = []
    group: list[Alternative] | None = None  # the group the previous token belongs to, if any
    previous: Alternative | None = None  # the previous token, if it may start or extend a group
    joining = False  # an OR was read and waits for its right-hand side
    last = ""  # the previous token, whatever it was
    open_term: int | None = None
    for index, token in enumerate(tokens):
        # What the token being typed would be told is no problem yet.
        told = [] if typed and index == len(tokens) - 1 else problems
        if token == OR:
            if last and last != OR and previous is None:
                _not_joined(last, told)
            elif joining or previous is None:
                told.append(
                    f"'{OR}' needs a word, a \"phrase\" or a term like person:X on each side"
                )
            joining, last = previous is not None, token
            continue
        alternative = _alternative(token)
        if joining and alternative is None:
            _not_joined(token, told)
        if joining and alternative is not None and previous is not None:
            if group is None:
                rest.pop()  # the left-hand side leaves the tokens for the group
                group = [previous]
                groups.append(group)
            group.append(alternative)
        else:
            rest.append(token)
            group = None
            open_term = len(rest) - 1 if told is not problems else None
        joining, last = False, token
        previous = alternative
    if joining and not typed:
        problems.append(f"'{OR}' needs a word, a \"phrase\" or a term like person:X on each side")
    return rest, [tuple(g) for g in groups], open_term


def _not_joined(token: str, problems: list[str]) -> None:
    """The problem of an OR beside `token`, which it cannot join (none when the token is a
    keyed term with a value that makes no sense: `kind:nope` is its own problem)."""
    key, _, value = token.lstrip("+-").partition(":") if _KEYED.match(token) else ("", "", "")
    if token[:1] != "-" and value and isinstance(_term(key.lower(), value), str):
        return
    if key.lower() in ("since", "until"):
        problems.append(f"'{OR}' cannot join '{token}': a time bound holds for the whole filter")
    elif token[:1] == "-":
        problems.append(f"'{OR}' cannot join '{token}': a term left out is no alternative")
    else:
        problems.append(f"'{OR}' cannot join '{token}'")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:]+([+-]\d{2}:?\d{2}|Z)?)?$")


def _moment(value: str, now: float | None) -> int | None:
    seconds = parse_duration(value)
    if seconds is not None:
        return int((now if now is not None else time.time()) - seconds)
    if _DATE.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp())
    return None

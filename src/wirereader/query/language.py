"""The small filter language shared by the CLI and the TUI.

    +person:Putin -place:Crimea source:independent since:6h until:2025-04-28 "exact phrase"
    kind:breaking is:unread is:starred thread:12 -word word

Words are full-text (prefix) matches; `+`/`-` on an entity require or exclude it; a bare
`person:X` means `+person:X`. Every word must match, but words or phrases joined by `OR` in
capitals are alternatives: `ebola OR cholera outbreak` is (ebola or cholera) and outbreak, as
in a search engine. `AND` in capitals is dropped (it is what the language does); `NOT` and
`NEAR` in capitals are problems, left out (in lowercase all four are words). Parsing never
fails: anything else not understood is searched as words, and `problems` says what was not
understood.
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from wirereader.core.config import parse_duration
from wirereader.core.model import Kind
from wirereader.query.timeline import EntityRef, Filter, fts_words

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


def _tokens(text: str) -> list[str]:
    """Shell-like tokens: a quoted phrase is one token; an unbalanced quote is ignored."""
    lexer = shlex.shlex(text, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # unbalanced quote while the user is still typing
        return text.replace('"', " ").replace("'", " ").split()


def parse(text: str, base: Filter | None = None, now: float | None = None) -> Parsed:
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
    tokens, groups = _or_groups(_tokens(text), problems)
    any_of = list(f.any_of) + groups
    for token in tokens:
        if " " in token and not _KEYED.match(token):  # a quoted phrase ("exact phrase")
            phrases.append(token)
            continue
        if token in OPERATORS:
            if OPERATORS[token]:
                word = token.lower()
                problems.append(f"'{token}': {OPERATORS[token]}; '{word}' searches for the word")
            continue
        sign = ""
        if token[:1] in "+-" and len(token) > 1:
            sign, token = token[0], token[1:]
        key, sep, value = token.partition(":")
        key = key.lower()
        if sep and value and key in ENTITY_KINDS:
            target = "exclude_entities" if sign == "-" else "entities"
            lists[target].append(EntityRef(value.replace("_", " "), ENTITY_KINDS[key]))
        elif sep and value and key == "source":
            lists["exclude_sources" if sign == "-" else "sources"].append(value)
        elif sep and value and key == "kind":
            if value.lower() in KINDS:
                lists["exclude_kinds" if sign == "-" else "kinds"].append(value.lower())
            else:
                problems.append(f"'{token}': expected a kind ({', '.join(KINDS)})")
        elif sep and value and key in ("since", "until"):
            moment = _moment(value, now)
            if moment is None:
                problems.append(f"'{token}': expected a duration (6h, 2d) or a date (2025-04-28)")
            else:
                changes[key] = moment
        elif sep and value and key == "is":
            if value.lower() in ("unread", "new"):
                changes["unread_only"] = True
            elif value.lower() == "starred":
                changes["starred_only"] = True
            else:
                problems.append(f"'{token}': expected is:unread or is:starred")
        elif sep and value and key == "thread":
            # isdecimal: `thread:²` passed isdigit and int() raised; SQLite holds 63 bits
            if value.isdecimal() and int(value) < 2**63:
                changes["thread_id"] = int(value)
            else:
                problems.append(f"'{token}': expected a thread number")
        elif sign == "-":
            lists["exclude_words"] += fts_words(token)
        else:
            words += fts_words(token)
    fields: dict[str, Any] = {k: tuple(v) for k, v in lists.items()}
    fields.update(changes, words=tuple(words), phrases=tuple(phrases), any_of=tuple(any_of))
    return Parsed(replace(f, **fields), problems)


def _is_alternative(token: str) -> bool:
    """A word or a quoted phrase: what OR may join (not `person:X`, `-word` or an operator)."""
    return (
        token not in OPERATORS
        and token != OR
        and token[:1] not in "+-"
        and not (_KEYED.match(token))
    )


def _or_groups(tokens: list[str], problems: list[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Split off the alternatives joined by `OR`: (the other tokens, the groups).

    OR binds its two neighbours, tighter than the implicit AND between tokens, as search
    engines read it: `ebola OR cholera outbreak` is one group (ebola, cholera) and the word
    outbreak. An alternative is kept as its words joined by spaces: one word matches as a
    prefix, several (a quoted phrase, `covid-19`) as the exact phrase. An OR with no word or
    phrase on one side is a problem and is left out, so `ebola OR` searches for ebola."""
    rest: list[str] = []
    groups: list[list[str]] = []
    group: list[str] | None = None  # the group the previous token belongs to, if any
    previous: str | None = None  # the previous token, if it may start or extend a group
    joining = False  # an OR was read and waits for its right-hand side
    last = ""  # the previous token, whatever it was
    for token in tokens:
        if token == OR:
            if last and last != OR and previous is None:
                problems.append(f"'{OR}' joins words and \"phrases\", not '{last}'")
            elif joining or previous is None:
                problems.append(f"'{OR}' needs a word or a \"phrase\" on each side")
            joining, last = previous is not None, token
            continue
        alternative = " ".join(fts_words(token)) if _is_alternative(token) else ""
        if joining and not alternative:
            problems.append(f"'{OR}' joins words and \"phrases\", not '{token}'")
        if joining and alternative and previous is not None:
            if group is None:
                rest.pop()  # the left-hand side leaves the tokens for the group
                group = [previous]
                groups.append(group)
            group.append(alternative)
        else:
            rest.append(token)
            group = None
        joining, last = False, token
        previous = alternative or None
    if joining:
        problems.append(f"'{OR}' needs a word or a \"phrase\" on each side")
    return rest, [tuple(g) for g in groups]


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

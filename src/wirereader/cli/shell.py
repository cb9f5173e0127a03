"""Shell completion (bash, zsh, fish) and the man page, both generated from the argparse parser.

wirereader completion bash|zsh|fish     a completion script on stdout
wirereader man                          the man page (roff) on stdout

Nothing here is written by hand per command: a command or option added to the parser is
completed and documented at once. Feed names are completed live, from `wirereader feeds
--names` with the `--db`/`--config` already on the command line, so they follow the cache.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from dataclasses import dataclass, field
from datetime import date

from wirereader import __version__
from wirereader.cli.common import FILTER_EPILOG

SHELLS = ("bash", "zsh", "fish")
# Positionals that name subscribed feeds, by (command, dest).
FEED_ARGUMENTS = {("fetch", "names"), ("remove", "names"), ("rename", "old")}
# Positionals that are paths (or URLs, where the shell still completes paths).
PATH_ARGUMENTS = {("import", "files"), ("add", "url")}
_PATH_METAVARS = {"PATH", "FILE"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh, fish)",
        description="Print a completion script for SHELL on stdout. It completes commands, "
        "options and feed names. bash: `source <(wirereader completion bash)` in ~/.bashrc; "
        "zsh: `wirereader completion zsh > ~/.zfunc/_wirereader` with ~/.zfunc in $fpath; "
        "fish: `wirereader completion fish > ~/.config/fish/completions/wirereader.fish`.",
    )
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")
    p.set_defaults(func=cmd_completion)

    p = sub.add_parser(
        "man",
        help="print the man page (roff)",
        description="Print the man page, generated from the command-line parser, on stdout: "
        "`wirereader man | man -l -` to read it, or save it as "
        "~/.local/share/man/man1/wirereader.1.",
    )
    p.set_defaults(func=cmd_man)


def cmd_completion(args: argparse.Namespace) -> int:
    spec = describe_parser(args.root_parser)
    render = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell]
    sys.stdout.write(render(spec))
    return 0


def cmd_man(args: argparse.Namespace) -> int:
    sys.stdout.write(man_page(args.root_parser))
    return 0


# -- the parser as data -----------------------------------------------------------------------


@dataclass
class Option:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)
    paths: bool = False  # its value is a file path
    metavar: str = "VALUE"


@dataclass
class Positional:
    name: str
    help: str
    many: bool
    choices: list[str] = field(default_factory=list)
    feeds: bool = False
    paths: bool = False


@dataclass
class Command:
    name: str
    help: str
    options: list[Option]
    positionals: list[Positional]


@dataclass
class ParserSpec:
    options: list[Option]  # the global ones
    commands: list[Command]


def _help(action: argparse.Action) -> str:
    text = action.help if action.help and action.help != argparse.SUPPRESS else ""
    return " ".join(text.split())


def _options_and_positionals(
    parser: argparse.ArgumentParser, command: str
) -> tuple[list[Option], list[Positional]]:
    options: list[Option] = []
    positionals: list[Positional] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        choices = [str(c) for c in action.choices] if action.choices else []
        if action.option_strings:
            metavar = str(action.metavar or "")
            options.append(
                Option(
                    flags=list(action.option_strings),
                    help=_help(action),
                    takes_value=action.nargs != 0,
                    choices=choices,
                    paths=metavar in _PATH_METAVARS,
                    metavar=metavar or str(action.dest).upper(),
                )
            )
        else:
            positionals.append(
                Positional(
                    name=str(action.metavar or action.dest),
                    help=_help(action),
                    many=action.nargs in ("*", "+"),
                    choices=choices,
                    feeds=(command, action.dest) in FEED_ARGUMENTS,
                    paths=(command, action.dest) in PATH_ARGUMENTS,
                )
            )
    return options, positionals


def describe_parser(parser: argparse.ArgumentParser) -> ParserSpec:
    options, _ = _options_and_positionals(parser, "")
    commands: list[Command] = []
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {str(a.dest): _help(a) for a in action._choices_actions}
        for name, sub in action.choices.items():
            sub_options, positionals = _options_and_positionals(sub, name)
            commands.append(Command(name, helps.get(name, ""), sub_options, positionals))
    return ParserSpec(options, commands)


def _value_options(options: list[Option]) -> list[Option]:
    return [o for o in options if o.takes_value]


# -- bash ---------------------------------------------------------------------------------------


def bash_script(spec: ParserSpec) -> str:
    globals_with_value = "|".join(f for o in _value_options(spec.options) for f in o.flags) or "--"
    command_names = " ".join(c.name for c in spec.commands)
    global_flags = " ".join(f for o in spec.options for f in o.flags)
    cases: list[str] = []
    for command in spec.commands:
        value_cases = []
        for option in _value_options(command.options):
            flags = "|".join(option.flags)
            if option.choices:
                words = shlex.quote(" ".join(option.choices))
                value_cases.append(f"{flags}) _wirereader_words {words}; return;;")
            elif option.paths:
                value_cases.append(f"{flags}) _wirereader_files; return;;")
            else:
                value_cases.append(f"{flags}) return;;")
        flags = shlex.quote(" ".join(f for o in command.options for f in o.flags))
        positional = "return"
        if any(p.feeds for p in command.positionals):
            positional = "_wirereader_feeds"
        elif any(p.paths for p in command.positionals):
            positional = "_wirereader_files"
        elif any(p.choices for p in command.positionals):
            words = " ".join(c for p in command.positionals for c in p.choices)
            positional = f"_wirereader_words {shlex.quote(words)}"
        value_block = ""
        if value_cases:
            value_block = '            case "$prev" in ' + " ".join(value_cases) + " esac\n"
        cases.append(
            f"        {command.name})\n"
            f"{value_block}"
            f'            if [[ "$cur" == -* ]]; then _wirereader_words {flags}; '
            f"else {positional}; fi\n"
            "            ;;"
        )
    body = "\n".join(cases)
    return f"""# bash completion for wirereader (generated by `wirereader completion bash`)
_wirereader_words() {{
    local IFS=$' \\t\\n'
    COMPREPLY=($(compgen -W "$1" -- "$cur"))
}}
_wirereader_files() {{
    local IFS=$'\\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
}}
_wirereader_feeds() {{
    local IFS=$'\\n' name
    local -a names
    names=($("${{COMP_WORDS[0]}}" "${{_wirereader_globals[@]}}" feeds --names 2>/dev/null))
    COMPREPLY=()
    for name in "${{names[@]}}"; do
        [[ "$name" == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$name")")
    done
}}
_wirereader() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local command="" i=1 word
    _wirereader_globals=()
    while (( i < COMP_CWORD )); do
        word="${{COMP_WORDS[i]}}"
        case "$word" in
            {globals_with_value})
                _wirereader_globals+=("$word" "${{COMP_WORDS[i+1]}}"); (( i++ ));;
            -*) ;;
            *) command="$word"; break;;
        esac
        (( i++ ))
    done
    if [[ -z "$command" ]]; then
        case "$prev" in {globals_with_value}) _wirereader_files; return;; esac
        if [[ "$cur" == -* ]]; then _wirereader_words {shlex.quote(global_flags)}
        else _wirereader_words {shlex.quote(command_names)}; fi
        return
    fi
    case "$command" in
{body}
    esac
}}
complete -F _wirereader wirereader
"""


# -- zsh ----------------------------------------------------------------------------------------


def _zsh_text(text: str) -> str:
    """Text inside a single-quoted _arguments spec's [description]."""
    text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:")
    return text.replace("'", "'\\''")


def _zsh_option(option: Option) -> list[str]:
    action = ""
    if option.takes_value:
        if option.choices:
            action = f":value:({' '.join(option.choices)})"
        elif option.paths:
            action = ":path:_files"
        else:
            action = ":value: "
    exclusive = f"({' '.join(option.flags)})" if len(option.flags) > 1 else ""
    return [f"'{exclusive}{flag}[{_zsh_text(option.help)}]{action}'" for flag in option.flags]


def _zsh_positional(positional: Positional) -> str:
    if positional.feeds:
        action = "_wirereader_feeds"
    elif positional.paths:
        action = "_files"
    elif positional.choices:
        action = f"({' '.join(positional.choices)})"
    else:
        action = " "
    lead = "*" if positional.many else ""
    return f"'{lead}:{_zsh_text(positional.name.lower())}:{action}'"


def zsh_script(spec: ParserSpec) -> str:
    described = "\n".join(f"        '{c.name}:{_zsh_text(c.help)}'" for c in spec.commands)
    global_specs = " \\\n        ".join(s for o in spec.options for s in _zsh_option(o))
    cases = []
    for command in spec.commands:
        specs = [s for o in command.options for s in _zsh_option(o)]
        specs += [_zsh_positional(p) for p in command.positionals]
        joined = " \\\n                ".join(specs) if specs else "'*: :'"
        cases.append(f"            {command.name})\n                _arguments {joined};;")
    body = "\n".join(cases)
    return f"""#compdef wirereader
# zsh completion for wirereader (generated by `wirereader completion zsh`)

_wirereader_feeds() {{
    local -a names
    names=("${{(@f)$(wirereader "${{_wirereader_globals[@]}}" feeds --names 2>/dev/null)}}")
    compadd -a names
}}

_wirereader() {{
    local curcontext="$curcontext" state line i
    typeset -A opt_args
    # The line's --db and --config, for the feed names: read before _arguments shifts $words.
    local -a _wirereader_globals
    for (( i = 2; i < CURRENT - 1; i++ )); do
        case "$words[i]" in
            --db|--config) _wirereader_globals+=("$words[i]" "${{(Q)words[i+1]}}");;
        esac
    done
    local -a commands
    commands=(
{described}
    )
    _arguments -C \\
        {global_specs} \\
        '1: :->command' \\
        '*:: :->args'
    case $state in
        command) _describe -t commands 'wirereader command' commands;;
        args)
            case $line[1] in
{body}
            esac;;
    esac
}}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _wirereader "$@"
else
    compdef _wirereader wirereader
fi
"""


# -- fish ---------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_flags(option: Option) -> str:
    parts = []
    for flag in option.flags:
        if flag.startswith("--"):
            parts.append(f"-l {flag[2:]}")
        elif flag.startswith("-") and len(flag) == 2:
            parts.append(f"-s {flag[1:]}")
    if option.takes_value:
        if option.choices:
            parts.append(f"-x -a {_fish_quote(' '.join(option.choices))}")
        elif option.paths:
            parts.append("-r -F")
        else:
            parts.append("-x")
    return " ".join(parts)


def fish_script(spec: ParserSpec) -> str:
    names = " ".join(c.name for c in spec.commands)
    lines = [
        "# fish completion for wirereader (generated by `wirereader completion fish`)",
        "function __wirereader_feeds",
        "    set -l globals",
        "    set -l words (commandline -opc)",
        "    for i in (seq 2 (count $words))",
        "        if contains -- $words[$i] --db --config; and test $i -lt (count $words)",
        "            set -a globals $words[$i] $words[(math $i + 1)]",
        "        end",
        "    end",
        "    wirereader $globals feeds --names 2>/dev/null",
        "end",
        "complete -c wirereader -f",
    ]
    for option in spec.options:
        lines.append(
            f"complete -c wirereader -n '__fish_use_subcommand' {_fish_flags(option)}"
            f" -d {_fish_quote(option.help)}"
        )
    for command in spec.commands:
        lines.append(
            f"complete -c wirereader -n '__fish_use_subcommand' -a {command.name}"
            f" -d {_fish_quote(command.help)}"
        )
        seen = f"'__fish_seen_subcommand_from {command.name}'"
        for option in command.options:
            lines.append(
                f"complete -c wirereader -n {seen} {_fish_flags(option)}"
                f" -d {_fish_quote(option.help)}"
            )
        for positional in command.positionals:
            if positional.feeds:
                lines.append(f"complete -c wirereader -n {seen} -a '(__wirereader_feeds)'")
            elif positional.paths:
                lines.append(f"complete -c wirereader -n {seen} -F")
            elif positional.choices:
                words = _fish_quote(" ".join(positional.choices))
                lines.append(f"complete -c wirereader -n {seen} -a {words}")
    lines.append(f"# commands: {names}")
    return "\n".join(lines) + "\n"


# -- man page -----------------------------------------------------------------------------------


def _roff(text: str) -> str:
    """Plain text for roff: backslashes and hyphens escaped, no line read as a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.MULTILINE)


def _option_heading(option: Option) -> str:
    flags = ", ".join(f"\\fB{_roff(flag)}\\fR" for flag in option.flags)
    if option.takes_value:
        value = "{" + ",".join(option.choices) + "}" if option.choices else option.metavar
        flags += f" \\fI{_roff(value)}\\fR"
    return flags


def _usage(parser: argparse.ArgumentParser) -> str:
    usage = " ".join(parser.format_usage().split())
    return usage.removeprefix("usage: ")


def man_page(parser: argparse.ArgumentParser) -> str:
    spec = describe_parser(parser)
    subparsers = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ).choices
    lines = [
        f'.TH WIREREADER 1 "{date.today().isoformat()}" "wirereader {__version__}" "User Commands"',
        ".SH NAME",
        "wirereader \\- " + _roff(parser.description or ""),
        ".SH SYNOPSIS",
        ".B wirereader",
        "[\\fB\\-\\-db\\fR \\fIPATH\\fR] [\\fB\\-\\-config\\fR \\fIPATH\\fR] "
        "[\\fICOMMAND\\fR [\\fIOPTIONS\\fR]]",
        ".SH DESCRIPTION",
        _roff(
            "Without a command, wirereader opens the reader on the cache. Every view of the "
            "reader is also a command; most take --json and print one JSON document."
        ),
        ".SH OPTIONS",
    ]
    for option in spec.options:
        lines += [".TP", _option_heading(option), _roff(option.help)]
    lines.append(".SH COMMANDS")
    for command in spec.commands:
        sub = subparsers[command.name]
        lines += [".SS " + _roff(command.name), ".B " + _roff(_usage(sub))]
        lines += [".PP", _roff(" ".join((sub.description or command.help).split()))]
        for positional in command.positionals:
            if positional.help:
                lines += [".TP", f"\\fI{_roff(positional.name)}\\fR", _roff(positional.help)]
        for option in command.options:
            if "-h" in option.flags:
                continue
            lines += [".TP", _option_heading(option), _roff(option.help)]
    # The filter language of entries, search, threads and tail, as their --help prints it.
    title, _, terms = FILTER_EPILOG.partition("\n")
    lines += [".SH FILTER TERMS", _roff(title.rstrip(":").capitalize() + "."), ".PP", ".nf"]
    lines += [_roff(line) for line in terms.rstrip("\n").splitlines()]
    lines += [".fi"]
    lines += [
        ".SH ENVIRONMENT",
        ".TP",
        ".B WIREREADER_DB",
        _roff("the cache file, unless --db is given"),
        ".TP",
        ".B WIREREADER_CONFIG",
        _roff("the config file, unless --config is given"),
        ".SH EXIT STATUS",
        _roff(
            "0 on success; 1 when a command failed (one line on stderr names the file or URL "
            "and the problem); 2 for a usage error, an unknown option or filter term."
        ),
        ".SH SEE ALSO",
        _roff("wirereader completion bash|zsh|fish; the README and config.example.toml."),
    ]
    return "\n".join(lines) + "\n"

"""Kconfig semantics for the model's config symbols: prompts, ``depends on``, ``select``, ``choice``.

A :class:`~linuxmm.records.ConfigSymbol` says, for the revision being
booted, whether a user may set it (``prompt``), what it needs (``depends_on``,
an expression such as ``"KASAN && !KASAN_SW_TAGS"``), what it forces on
(``select``) and which mutually exclusive group it belongs to (``choice``).
Each of those may be a value or a callable of the revision, because they
changed over the years.  :func:`resolve` computes the configuration the
way ``make olddefconfig`` would from the user's settings, except that where
Kconfig would quietly drop or override a user's setting, the model refuses
it and says why:

* a symbol the era did not have (set to ``y``): an error naming the commit
  or release that added or removed it; setting it to ``n`` is harmless;
* a symbol without a prompt in that era: an error, unless the symbol
  declares a ``whatif`` note (then it is set, and the note is kept in
  ``Config.whatifs`` for the output to show);
* ``y`` on a symbol whose dependencies are not met: an error naming them;
* ``n`` on a symbol another one selects: an error naming the selector;
* two members of one choice, or a choice left empty (``SLUB=n`` where SLUB
  is the only slab allocator): an error listing the members.

Symbols whose behaviour is not modelled yet (``modelled=False``) are
accepted; ``Config.unmodelled`` names those the user set, and ``info``
lists them under "accepted, no effect in this model".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from .history import Revision
    from .host import Host
    from .records import ConfigSymbol

_TOKEN = re.compile(r"\s*(?:(&&|\|\||!|\(|\))|([A-Za-z0-9_]+))")


class Config(dict):
    """The resolved configuration: symbol name (no ``CONFIG_``) to value.

    ``user`` holds the names the user set, ``whatifs`` the notes of
    no-prompt symbols set as a what-if, ``unmodelled`` the user-set symbols
    the model accepts without modelling their effect.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user: dict[str, Any] = {}
        self.whatifs: list[str] = []
        self.unmodelled: list[str] = []


# -- expressions ----------------------------------------------------------------
def parse_expr(text: str) -> Any:
    """Parse a Kconfig ``depends on`` expression into a small tree.

    Grammar: ``expr := term ('||' term)*``, ``term := factor ('&&' factor)*``,
    ``factor := '!' factor | '(' expr ')' | SYMBOL | y | n``.
    """
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"bad Kconfig expression {text!r} at {text[pos:]!r}")
        tokens.append(m.group(1) or m.group(2))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        return ("y",)
    i = 0

    def expr() -> Any:
        nonlocal i
        node = term()
        while i < len(tokens) and tokens[i] == "||":
            i += 1
            node = ("||", node, term())
        return node

    def term() -> Any:
        nonlocal i
        node = factor()
        while i < len(tokens) and tokens[i] == "&&":
            i += 1
            node = ("&&", node, factor())
        return node

    def factor() -> Any:
        nonlocal i
        if i >= len(tokens):
            raise ValueError(f"bad Kconfig expression {text!r}: ends early")
        tok = tokens[i]
        i += 1
        if tok == "!":
            return ("!", factor())
        if tok == "(":
            node = expr()
            if i >= len(tokens) or tokens[i] != ")":
                raise ValueError(f"bad Kconfig expression {text!r}: missing ')'")
            i += 1
            return node
        if tok in ("&&", "||", ")"):
            raise ValueError(f"bad Kconfig expression {text!r}: unexpected {tok!r}")
        if tok in ("y", "n"):
            return (tok,)
        return ("sym", tok.upper().removeprefix("CONFIG_"))

    node = expr()
    if i != len(tokens):
        raise ValueError(f"bad Kconfig expression {text!r}: unexpected {tokens[i]!r}")
    return node


def eval_expr(node: Any, values: Mapping[str, Any]) -> bool:
    """Evaluate a parsed expression; a symbol not in ``values`` (not in the era) is ``n``."""
    kind = node[0]
    if kind == "sym":
        return values.get(node[1]) is True
    if kind == "y":
        return True
    if kind == "n":
        return False
    if kind == "!":
        return not eval_expr(node[1], values)
    if kind == "&&":
        return eval_expr(node[1], values) and eval_expr(node[2], values)
    return eval_expr(node[1], values) or eval_expr(node[2], values)


def expr_symbols(node: Any) -> list[str]:
    """The symbols an expression names, in order."""
    if node[0] == "sym":
        return [node[1]]
    return [s for child in node[1:] if isinstance(child, tuple) for s in expr_symbols(child)]


# -- one symbol's attributes at one revision ---------------------------------------------
def at(value: Any, rev: "Revision") -> Any:
    """A record attribute that may be a callable of the revision."""
    return value(rev) if callable(value) else value


def symbol_name(name: str) -> str:
    """``config_kasan`` or ``CONFIG_KASAN`` -> ``KASAN``."""
    name = name.strip()
    if name.upper().startswith("CONFIG_"):
        name = name[7:]
    return name.upper()


def coerce(kind: str, name: str, value: Any) -> Any:
    """A user's value for a symbol of ``kind`` (bool, int, str); a wrong one is a ConfigError."""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, (str, int)) else None
        if text in ("y", "yes", "1", "true", "on"):
            return True
        if text in ("n", "no", "0", "false", "off"):
            return False
        raise ConfigError(f"CONFIG_{name} is a bool: use y or n, not {value!r}")
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ConfigError(f"CONFIG_{name} is an int, not {value!r}")
        try:
            return value if isinstance(value, int) else int(value.strip(), 0)
        except ValueError:
            raise ConfigError(f"CONFIG_{name} is an int, not {value!r}") from None
    if not isinstance(value, str):
        raise ConfigError(f"CONFIG_{name} is a string, not {value!r}")
    return value


def parse_items(items: Iterable[Any]) -> dict[str, Any]:
    """``["KASAN=y", "CONFIG_SLOB=y", "KASAN"]`` -> a dict (a bare name means ``y``)."""
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"config item {item!r} is not a string: write \"NAME=VALUE\", e.g. \"KASAN=y\"")
        name, sep, value = item.partition("=")
        if not name.strip():
            raise ConfigError(f"--config {item!r}: expected NAME=VALUE, e.g. KASAN=y")
        out[name] = value if sep else "y"
    return out


def show_value(value: Any) -> str:
    """A symbol's value as a .config line writes it: ``y``, ``n`` (also for unset), or the value."""
    if value is True:
        return "y"
    if value is False or value is None:
        return "n"
    return str(value)


# -- resolution --------------------------------------------------------------------
def resolve(host: "Host", rev: "Revision", given: Any) -> Config:
    """The full configuration at ``rev`` from the user's settings ``given`` (see the module docstring).

    ``given`` is None, a mapping of symbol names to values, or an iterable of
    ``"NAME=VALUE"`` strings.  A bare string is refused: it would otherwise be
    read one character at a time.
    """
    if given is None:
        given = {}
    elif isinstance(given, (str, bytes)):
        raise ConfigError(f"config must be a mapping such as {{'KASAN': True}} or a list of \"NAME=VALUE\" "
                          f"strings, not the string {given!r}")
    elif not isinstance(given, Mapping):
        try:
            given = parse_items(given)
        except TypeError:
            raise ConfigError(f"config must be a mapping or a list of \"NAME=VALUE\" strings, not "
                              f"{type(given).__name__}") from None
    live: dict[str, "ConfigSymbol"] = {s.name: s for s in host.symbols.values() if host.available(s, rev)}
    cfg = Config()

    # 1. the user's settings, checked one by one
    user: dict[str, Any] = {}
    for raw, value in given.items():
        if not isinstance(raw, str):
            raise ConfigError(f"config symbol names are strings, not {raw!r}")
        name = symbol_name(raw)
        sym = host.symbols.get(name)
        if sym is None:
            near = [s for s in sorted(host.symbols) if s.startswith(name[:3])][:4]
            hint = f"; known symbols like it: {', '.join('CONFIG_' + s for s in near)}" if near else ""
            raise ConfigError(f"unknown config symbol CONFIG_{name}{hint} (see `linuxmm info --symbols`)")
        coerced = coerce(sym.kind, name, value)
        if name not in live:
            if sym.kind == "bool" and coerced is False:
                continue  # asking for "off" in an era without the symbol is harmless
            raise ConfigError(host.era_error(f"CONFIG_{name}", sym, rev) + (f"; {sym.note}" if sym.note else ""))
        if not at(sym.prompt, rev):
            if sym.whatif:
                cfg.whatifs.append(f"CONFIG_{name}={show_value(coerced)}: {sym.whatif}")
            else:
                dep = at(sym.depends_on, rev)
                follows = f"; its value follows {dep}" if dep else ""
                raise ConfigError(f"CONFIG_{name} cannot be set at {rev.describe}: it has no prompt there"
                                  f"{follows}" + (f" ({sym.note})" if sym.note else ""))
        user[name] = coerced
    cfg.user = dict(user)

    deps = {n: parse_expr(at(s.depends_on, rev) or "") for n, s in live.items()}
    selects = {n: tuple(symbol_name(t) for t in at(s.select, rev) or ()) for n, s in live.items()}
    defaults = {n: at(s.default, rev) for n, s in live.items()}
    choices: dict[str, list[str]] = {}
    for n, s in live.items():
        group = at(s.choice, rev)
        if group:
            choices.setdefault(group, []).append(n)

    def unmet(name: str, values: Mapping[str, Any]) -> str:
        text = at(live[name].depends_on, rev)
        missing = [s for s in expr_symbols(deps[name]) if values.get(s) is not True]
        why = f"it depends on {text}" if text else "its dependencies are not met"
        if missing and len(expr_symbols(deps[name])) > 1:
            why += " (" + ", ".join(f"CONFIG_{s}" + ("=n" if s in live else " is not in this release")
                                    for s in missing) + ")"
        return why

    # 2. choices: the user's member, else the first default member whose dependencies hold
    for group, members in choices.items():
        picked = [m for m in user if m in members and user[m] is True]
        if len(picked) > 1:
            raise ConfigError(f"CONFIG_{picked[0]} and CONFIG_{picked[1]} are alternatives; choose one")

    forced: set[str] = set()
    # a symbol the user sets to y stays y (or is refused): what it selects is on from the start
    forced |= {t for n, v in user.items() if v is True for t in selects[n] if t in live}
    values: dict[str, Any] = {}
    for _ in range(len(live) + 2):
        values = {n: (user[n] if n in user else defaults[n]) for n in live}
        for n in forced:
            values[n] = True
        for group, members in choices.items():
            picked = [m for m in members if user.get(m) is True] or [m for m in members if m in forced]
            if not picked:
                refused = [m for m in members if user.get(m) is False]
                candidates = [m for m in members if m not in refused and eval_expr(deps[m], values)]
                preferred = [m for m in candidates if defaults[m] is True] or candidates
                if not preferred:
                    others = [m for m in members if m not in refused]
                    if refused and not others:
                        only = ", ".join(f"CONFIG_{m}" for m in members)
                        raise ConfigError(f"CONFIG_{refused[0]}=n leaves the {group} choice empty: at "
                                          f"{rev.describe} it offers only {only}")
                    if refused:
                        offer = ", ".join(f"CONFIG_{m}" for m in others)
                        raise ConfigError(f"CONFIG_{refused[0]}=n leaves the {group} choice empty: set one of "
                                          f"{offer} to y instead (and what it depends on)")
                    continue
                picked = preferred[:1]
            for m in members:
                values[m] = m == picked[0]
        # dependencies, to a fixed point (a symbol may depend on one that just went to n)
        changed = True
        while changed:
            changed = False
            for n, node in deps.items():
                if values.get(n) is True and n not in forced and not eval_expr(node, values):
                    if user.get(n) is True:
                        raise ConfigError(f"CONFIG_{n}=y is impossible at {rev.describe}: {unmet(n, values)}")
                    values[n] = False
                    changed = True
                elif values.get(n) not in (True, False, None) and not eval_expr(node, values):
                    if n in user:
                        raise ConfigError(f"CONFIG_{n} cannot be set at {rev.describe}: {unmet(n, values)}")
                    values[n] = None
        new_forced = {t for n, v in values.items() if v is True for t in selects[n] if t in live}
        if new_forced <= forced:
            break
        forced |= new_forced
    for n in forced:
        if user.get(n) is False:
            by = sorted(s for s, v in values.items() if v is True and n in selects[s])
            raise ConfigError(f"CONFIG_{n}=n is impossible: CONFIG_{by[0] if by else '?'} selects it")
    for group, members in choices.items():
        on = [m for m in members if values.get(m) is True]
        if len(on) > 1:
            raise ConfigError(f"CONFIG_{on[0]} and CONFIG_{on[1]} are alternatives; choose one")
    cfg.update(values)
    cfg.unmodelled = sorted(n for n in user if not live[n].modelled and user[n] not in (False, None))
    return cfg

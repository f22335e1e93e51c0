"""The search language, read into an FTS5 expression that holds only quoted stems.

Grammar (operators in capitals; anything else is a word):

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | primary
    primary := "(" query ")" | field ":" (unary | "(" query ")") | "phrase" | word | word*

Fields are `headline:`, `lead:` and `body:` (`title:` means headline); one limits a word, a
phrase or a group, and may be negated before or after its colon. Exclusions in a group belong
to the AND around it: `Казахстан (-Китай)` is `Казахстан -Китай`. Every word is
folded and stemmed (`stemming.stem`) and emitted as a quoted FTS5 string, so nothing the user
typed reaches FTS5 as syntax. Broken input is read as plain words: an unbalanced quote or
parenthesis is dropped, so is an operator with nothing to join, control characters are
spaces. What cannot be read even so (nothing left, only excluded words, too
long, a field with nothing right after its colon) raises `SearchQueryError`.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field, replace

from pipelines.archive.stemming import WORD_RE, fleeting_prefixes, fold, variants
from pipelines.normalize import INVISIBLE_CHARS

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
# a phrase of many -ав/-ив nouns is looked for in its first spellings only
MAX_SPELLINGS = 8
FIELDS = {"headline": "headline", "title": "headline", "lead": "lead", "body": "body"}
OPERATORS = {"AND", "OR", "NOT"}
_NEGATIONS = {("word", "NOT"), ("minus", "-")}
_DANGLING = {("word", op) for op in OPERATORS} | {("minus", "-")}

_TOKEN_RE = re.compile(
    r"""(?P<field>-?[A-Za-z]+):(?=\S)  # a field prefix glued to what follows, maybe negated
      | (?P<minus>-(?=["(]))          # "-" glued to a phrase or a group: NOT
      | "(?P<phrase>[^"]*)"          # a closed phrase
      | (?P<paren>[()])
      | (?P<word>[^\s"()]+)
    """,
    re.VERBOSE,
)


class SearchQueryError(ValueError):
    """A query that cannot be read even as plain words; the message is for the user."""


@dataclass(frozen=True)
class Term:
    """A word, a phrase (several stems) or a prefix, optionally limited to one column.

    A prefix (`fragment`: its last word as typed, folded) matches the stems that begin with
    what was typed, and every form of the typed word itself (its stem): "казах*" finds
    "Казахстан" and "казахский" but not "Казань", which stemming the fragment to "каз" would;
    "губернатора*" still finds "губернатор"."""

    stems: tuple[str, ...]
    prefix: bool = False
    column: str | None = None
    fragment: str = ""
    # the variant stems of each word, when one has several (`stemming.variants`)
    forms: tuple[tuple[str, ...], ...] = ()

    def spellings(self) -> list[tuple[str, ...]]:
        """The term in indexed stems: one phrase per combination of its words' variants."""
        if not self.forms:
            return [self.stems]
        return list(itertools.islice(itertools.product(*self.forms), MAX_SPELLINGS))

    def fts(self) -> str:
        phrases = self.spellings()
        text = _quoted(self.stems)
        if len(phrases) > 1:
            text = f"({' OR '.join(_quoted(p) for p in phrases)})"
        if self.prefix:
            starts = list(  # the words before the last in each of their spellings
                dict.fromkeys(
                    _quoted((*phrase[:-1], head)) + " *"
                    for phrase in phrases
                    for head in self.heads()
                )
            )
            if self.fragment != self.stems[-1]:
                starts.insert(0, text)
            text = starts[0] if len(starts) == 1 else f"({' OR '.join(starts)})"
        return f"{self.column} : {text}" if self.column else text

    def heads(self) -> tuple[str, ...]:
        """The beginnings a prefix looks for among indexed stems: what was typed, and its
        spelling without a fleeting vowel ("челове" -> "человк", `fleeting_prefixes`)."""
        return (self.fragment, *fleeting_prefixes(self.fragment)) if self.prefix else ()


def _quoted(words: tuple[str, ...]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


@dataclass
class Node:
    op: str  # "AND" | "OR"
    children: list[Node | Term] = field(default_factory=list)
    negated: list[Node | Term] = field(default_factory=list)


@dataclass(frozen=True)
class ParsedQuery:
    """What the search runs (`fts`) and what the snippets highlight (`stems`, `prefixes`)."""

    fts: str
    stems: frozenset[str]
    prefixes: tuple[str, ...]


_DROPPED = str.maketrans(dict.fromkeys(INVISIBLE_CHARS))


def _clean(text: str) -> str:
    # What the stored text lost (a soft hyphen, zero-width spaces) goes from the query
    # too: "Ка\u00adзахстан" is one word there. Other control and format characters (NUL,
    # escapes, bidi marks) become spaces.
    text = text.translate(_DROPPED)
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def _lex(text: str) -> list[tuple[str, str]]:
    if text.count('"') % 2:  # the last quote is dropped ('headline:"мост' is headline:мост)
        cut = text.rfind('"')
        glue = "" if text[:cut].endswith(":") else " "
        text = text[:cut] + glue + text[cut + 1 :]
    tokens = [
        (kind, value)
        for m in _TOKEN_RE.finditer(text)
        for kind, value in m.groupdict().items()
        if value is not None
    ]
    depth = 0
    balanced = True
    for kind, value in tokens:
        if kind == "paren":
            depth += 1 if value == "(" else -1
            balanced = balanced and depth >= 0
    if depth != 0 or not balanced:
        tokens = [t for t in tokens if t[0] != "paren"]
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def is_op(self, name: str) -> bool:
        tok = self.peek()
        return tok is not None and tok == ("word", name)

    def has_operand_ahead(self) -> bool:
        for kind, value in self.tokens[self.pos + 1 :]:
            if kind == "paren" and value == ")":
                return False
            if kind in ("phrase", "word", "field") or value == "(":
                return True
        return False

    def parse_or(self) -> Node | Term | None:
        parts = [self.parse_and()]
        while self.is_op("OR") and self.has_operand_ahead() and parts[-1] is not None:
            self.pos += 1
            parts.append(self.parse_and())
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        if len(kept) > 1 and any(_only_excluded(p) for p in kept):
            raise SearchQueryError(
                'OR cannot join excluded words alone ("мост OR -паром"): exclude them from '
                "the whole query instead, e.g. (мост OR переправа) -паром"
            )
        return kept[0] if len(kept) == 1 else Node("OR", kept)

    def parse_and(self) -> Node | Term | None:
        node = Node("AND")
        while True:
            tok = self.peek()
            if tok is None or tok == ("paren", ")"):
                break
            joining = bool(node.children or node.negated) and self.has_operand_ahead()
            if joining and tok == ("word", "OR"):
                break
            if joining and tok == ("word", "AND"):
                self.pos += 1
                continue
            negate = False
            while self.peek() in _NEGATIONS and self.has_operand_ahead():
                self.pos += 1
                negate = not negate
            if self.peek() in _DANGLING:  # an operator with nothing to join is dropped
                self.pos += 1
                continue
            item = self.parse_primary()
            if isinstance(item, tuple):  # "-word": (True, word); "-headline:-word": (False, …)
                flip, item = item
                negate = negate != flip
            if item is None:
                continue
            if isinstance(item, Node) and not item.children:  # "(-Китай)", "(NOT Китай)"
                (node.children if negate else node.negated).extend(item.negated)
                continue
            (node.negated if negate else node.children).append(item)
        if not node.children and not node.negated:
            return None
        if len(node.children) == 1 and not node.negated:
            return node.children[0]
        return node  # with exclusions only, the caller joins them to its words or refuses

    def parse_primary(self) -> Node | Term | tuple[bool, Node | Term | None] | None:
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "paren":
            return None if value == ")" else self.group()
        if kind == "word" and value.endswith(":") and value.lstrip("-")[:-1].lower() in FIELDS:
            raise SearchQueryError(  # "headline:" alone, "headline: мост": nothing to limit
                f"{value} needs a word or a phrase right after the colon, e.g. {value}пожар"
            )
        if kind == "word" and value.startswith("-") and len(value) > 1:  # -word
            return (True, self.term(value[1:], None))
        if kind == "field" and value.startswith("-"):  # -headline:word
            inner = self.field_term(kind, value[1:])
            return (not inner[0], inner[1]) if isinstance(inner, tuple) else (True, inner)
        return self.field_term(kind, value)

    def field_term(
        self, kind: str, value: str
    ) -> Node | Term | tuple[bool, Node | Term | None] | None:
        """A word or phrase, after an optional `field:` prefix (already read as `value`).
        After the colon may come a group (`headline:(мост OR переправа)`) and a negation
        (`headline:-мост`, `headline:NOT мост`: the same as `-headline:мост`)."""
        if kind != "field":
            return self.term(value, None)
        column = FIELDS.get(value.lower())
        if column is None:  # an unknown field is a word
            return self.term(value, None)
        negate = False
        while self.peek() in _NEGATIONS and self.has_operand_ahead():
            self.pos += 1
            negate = not negate
        if self.peek() is None or self.peek() == ("paren", ")"):
            return None  # "headline:" at the end: the prefix is dropped
        kind, value = self.tokens[self.pos]
        self.pos += 1
        item: Node | Term | None
        if kind == "paren":
            item = _in_column(self.group(), column)
        elif kind == "word" and value.startswith("-") and len(value) > 1:
            negate, item = not negate, self.term(value[1:], column)
        else:
            item = self.term(value, column)
        return (True, item) if negate else item

    def group(self) -> Node | Term | None:
        """What is inside parentheses (the "(" already read), and the ")" after it."""
        inner = self.parse_or()
        if self.peek() == ("paren", ")"):
            self.pos += 1
        return inner

    def term(self, text: str, column: str | None) -> Term | None:
        prefix = text.endswith("*")
        found = WORD_RE.findall(fold(text))
        if not found:
            return None
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise SearchQueryError(f"too many words in the query (the limit is {MAX_TERMS})")
        forms = tuple(variants(w) for w in found)
        stems = tuple(f[0] for f in forms)
        # one letter is too short to expand and is read as a word
        prefix = prefix and len(found[-1]) >= 2
        return Term(
            stems=stems,
            prefix=prefix,
            column=column,
            fragment=found[-1] if prefix else "",
            forms=forms if any(len(f) > 1 for f in forms) else (),
        )


def _only_excluded(item: Node | Term | None) -> bool:
    return isinstance(item, Node) and not item.children and bool(item.negated)


def _in_column(item: Node | Term | None, column: str) -> Node | Term | None:
    """A group limited to one column: every term in it that names no column of its own."""
    if item is None:
        return None
    if isinstance(item, Term):
        return item if item.column else replace(item, column=column)
    return Node(
        item.op,
        [c for c in (_in_column(c, column) for c in item.children) if c is not None],
        [c for c in (_in_column(c, column) for c in item.negated) if c is not None],
    )


def _emit(item: Node | Term) -> str:
    if isinstance(item, Term):
        return item.fts()
    glue = " AND " if item.op == "AND" else " OR "
    text = glue.join(_emit_group(c) for c in item.children)
    for neg in item.negated:
        text = f"({text}) NOT {_emit_group(neg)}"
    return text


def _emit_group(item: Node | Term) -> str:
    return item.fts() if isinstance(item, Term) else f"({_emit(item)})"


def _collect(item: Node | Term, stems: set[str], prefixes: list[str]) -> None:
    if isinstance(item, Term):
        for phrase in item.spellings():
            stems.update(phrase)
        if item.prefix:
            prefixes.extend(item.heads())
        return
    for child in item.children:
        _collect(child, stems, prefixes)


def parse_query(text: str) -> ParsedQuery:
    """Read a user's query; raises `SearchQueryError` with a message meant for them."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryError(
            f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})"
        )
    tree = _Parser(_lex(_clean(text))).parse_or()
    if tree is None:
        raise SearchQueryError("the query has no words to search for")
    if _only_excluded(tree):
        raise SearchQueryError(
            "a query cannot consist only of excluded words: add a word to look for"
        )
    stems: set[str] = set()
    prefixes: list[str] = []
    _collect(tree, stems, prefixes)
    return ParsedQuery(fts=_emit(tree), stems=frozenset(stems), prefixes=tuple(prefixes))

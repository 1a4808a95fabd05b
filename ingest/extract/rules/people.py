"""People and posts, in every way documents write them: "Dr Subeena Suleman (BSol Clinical
Advisor for Access)", "Jane Doe, Director of Finance, Example ICB", "Nigel Foster - Place
Director, NHS X ICB", "Chair (Sir Robert Hale)", "chaired by X", "the Chief Officer for
Primary Care and Integration, BSOL ICS" (a post with no named holder), a letter's
signature block, and names spaCy's NER finds.

:class:`Directory` is the result: the people and posts found, with the lookups later
rules need ("The Director of Finance replied" is the post met before, and its holder).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from rdflib import URIRef

from ingest.extract.document import DocView
from ingest.extract.records import Mention, Person, Post, Span
from ingest.extract.reference import Entity, Reference
from kg.lexicon import Lexicon

_NAME_WORD = r"[A-Z][a-z’'-]+(?:-[A-Z][a-z]+)?"
_CAPSEQ = r"[A-Z][\w’'-]*(?:\s+(?:and\s+|&\s+)?[A-Z][\w’'-]*)*"


@dataclass(frozen=True)
class Words:
    """The lexicon lists the people rules read, compiled once per lexicon."""

    person_re: re.Pattern[str]
    titled_re: re.Pattern[str]
    plural_titles_re: re.Pattern[str]
    not_names: frozenset[str]
    titles: dict[str, str]  # any form, lower-case → canonical title


@cache
def words(lexicon: Lexicon) -> Words:
    forms = sorted({f for e in lexicon.entries("titles") for f in e.forms}, key=len, reverse=True)
    titles = "(?:" + "|".join(map(re.escape, forms)) + ")"
    titles_ci = "(?:" + "|".join(map(re.escape, forms + [f.upper() for f in forms])) + ")"
    canonical = {f.lower(): e.label for e in lexicon.entries("titles") for f in e.forms}
    name = rf"{_NAME_WORD}(?:\s+[A-Z]\.?(?=\s))?(?:\s+{_NAME_WORD}){{1,2}}"
    not_names = frozenset(lexicon.words("not-name-words")) | frozenset(
        w for scheme in ("months", "weekdays") for w in lexicon.words(scheme)
    )
    return Words(
        person_re=re.compile(rf"(?:(?P<title>{titles_ci})\.?\s+)?(?P<name>{name})"),
        titled_re=re.compile(
            rf"(?<![\w-])(?P<title>{titles})\.?\s+(?P<name>{_NAME_WORD}(?:\s+[A-Z]\.?(?=\s))?(?:\s+{_NAME_WORD}){{0,2}})"
        ),
        plural_titles_re=re.compile(r"\b(?P<title>Councillors|Cllrs)\s+(?P<rest>[^.;:()]+)"),
        not_names=not_names,
        titles=canonical,
    )


@dataclass(frozen=True)
class TitleMatch:
    start: int
    end: int
    title: str  # canonical, singular
    role: URIRef


@cache
def _title_re(roles: tuple[tuple[str, URIRef], ...], modifiers: frozenset[str]) -> re.Pattern[str]:
    labels = [re.escape(label) for label, _ in roles if label != "presenter"]
    words = "|".join(map(re.escape, sorted(modifiers, key=len, reverse=True))) or "(?!)"
    return re.compile(
        rf"(?<![\w-])(?i:(?:(?:{words})\s+)*(?:{'|'.join(labels)}))(?:s)?(?![\w-])"
        rf"(?:\s+(?:of|for|in)\s+(?:the\s+)?(?:{_CAPSEQ}|[a-z]+\b))?"
    )


@cache
def _role_patterns(
    roles: tuple[tuple[str, URIRef], ...],
) -> tuple[tuple[str, URIRef, re.Pattern[str]], ...]:
    return tuple(
        (label, role, re.compile(rf"(?<![\w-]){re.escape(label)}s?(?![\w-])"))
        for label, role in roles
    )


def role_of(reference: Reference, title: str) -> tuple[URIRef, str] | None:
    """The role a title names (longest role label inside it) and the singular title."""
    lower = title.lower()
    for label, role, pattern in _role_patterns(reference.roles):
        if label not in lower:
            continue
        matches = list(pattern.finditer(lower))
        if not matches:
            continue
        exact = [m for m in matches if m.end() - m.start() == len(label)]
        m = exact[0] if exact else matches[0]
        singular = title[: m.start()] + title[m.start() : m.start() + len(label)] + title[m.end() :]
        preferred = reference.role_labels.get(role, label)
        if singular.lower() == label and _spelling_of(label, preferred.lower()):
            singular = preferred  # "Chairman" is the Chair; "Managing Director" stays itself
        return role, singular[0].upper() + singular[1:]
    return None


def _spelling_of(label: str, preferred: str) -> bool:
    """Is ``label`` another way of writing ``preferred`` (one word, or hyphens/spaces)?"""
    if label == preferred:
        return False
    return len(label.split()) == 1 or label.replace("-", " ") == preferred.replace("-", " ")


def find_titles(reference: Reference, text: str, offset: int = 0) -> list[TitleMatch]:
    """Job titles in ``text``: a role word with its modifiers and "of/for ..." tail."""
    found = []
    titles = reference.lexicon.words("titles") if reference.lexicon else frozenset()
    modifiers = reference.lexicon.words("title-modifiers") if reference.lexicon else frozenset()
    heads = reference.lexicon.words("org-heads") if reference.lexicon else frozenset()
    # "Who leads the PSU": neither a person's title nor a question word qualifies a title
    not_qualifiers = titles | (
        reference.lexicon.words("question-words") if reference.lexicon else frozenset()
    )
    for m in _title_re(reference.roles, modifiers).finditer(text):
        value = m.group(0).rstrip()
        if value.lower().rstrip("s") in titles:
            continue  # "Councillor X" is a person's title, not a post
        got = role_of(reference, _trim_title(value))
        if got is not None:
            start = _qualified_start(text, m.start(), not_qualifiers, heads)
            end = m.start() + len(_trim_title(value))
            title = text[start : m.start()] + got[1] if start < m.start() else got[1]
            found.append(TitleMatch(offset + start, offset + end, title, got[0]))
    return found


_DETERMINERS = frozenset({"the", "our", "its", "their", "your", "this", "a", "an", "his", "her"})
_QUALIFIER_RE = re.compile(r"((?:[A-Z][a-z-]+(?<![’'])\s+){1,3})$")  # no possessive
_TITLE_BOUNDARY_RE = re.compile(
    r"(?:^|[,;:(|–—-]\s*|\n\s*|\b(?:[Tt]he|[Oo]ur|[Ii]ts|[Tt]heir|[Yy]our)\s+|[’']s\s+)$"
)


def _qualified_start(text: str, at: int, titles: frozenset[str], heads: frozenset[str]) -> int:
    """Where a job title really starts: the capitalised words that qualify its role word
    ("Dental Commissioning Manager", "Cabinet Member for …", "Independent Chair"), when
    they run back to a boundary (a comma, a bracket, a cell, "the", "our", a possessive)
    and are neither a person's title nor a body's head word."""
    m = _QUALIFIER_RE.search(text[:at])
    if m is None:
        return at
    spans = [(m.start(1) + w.start(), w.group(0)) for w in re.finditer(r"\S+", m.group(1))]
    for i, (start, _) in enumerate(spans):
        rest = [w for _, w in spans[i:]]
        if any(w.lower() in titles or w in heads or w.lower() in _DETERMINERS for w in rest):
            continue
        if _TITLE_BOUNDARY_RE.search(text[:start]):
            return start
    return at


def _trim_title(value: str) -> str:
    """A title stops before a body's name or a verb that follows it."""
    words = value.split()
    for i, word in enumerate(words):
        if i and word in ("NHS", "Council", "Trust") and words[i - 1] not in ("of", "for"):
            return " ".join(words[:i])
    return value


@dataclass
class Directory:
    """The people and posts of one document, in reading order."""

    people: list[Person] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    _by_name: dict[str, Person] = field(default_factory=dict)
    _post_index: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)

    def person(self, name: str, title: str | None, span: Span) -> Person:
        name = " ".join(name.split())  # a name wrapped over two lines is one name
        key = name.lower()
        known = self._by_name.get(key)
        if known is None and len(name.split()) == 1:
            known = self.by_surname(name)  # "Mr Mensah welcomed …" after "Mr Kwame Mensah"
        if known is not None:
            if title and not known.title:
                known = Person(known.name, title, known.span)
                self._by_name[key] = known
                self.people = [known if p.name.lower() == key else p for p in self.people]
            return known
        found = Person(name, title, span)
        self._by_name[key] = found
        self.people.append(found)
        return found

    def known(self, name: str) -> Person | None:
        return self._by_name.get(name.lower())

    def by_surname(self, name: str) -> Person | None:
        """ "Dr Patel" after "Dr Sam Patel"."""
        last = name.split()[-1].lower()
        hits = [
            p for p in self.people if p.name.split()[-1].lower() == last and len(p.name.split()) > 1
        ]
        return hits[0] if len(hits) == 1 else None

    def add_post(self, post: Post) -> Post:
        key = (post.title.lower(), _iri(post.org), _iri(post.place))
        for i in self._post_index.get(key, []):
            known = self.posts[i]
            if known.holder is None or post.holder is None or known.holder.name == post.holder.name:
                merged = Post(
                    known.title, known.role, known.span, known.org or post.org, known.place or post.place,
                    known.holder or post.holder, known.description or post.description, known.seats or post.seats,
                )  # fmt: skip
                self.posts[i] = merged
                return merged
        self._post_index.setdefault(key, []).append(len(self.posts))
        self.posts.append(post)
        return post

    def drop_shadowed(self) -> None:
        """A post named alone ("the Director of Public Health") that a named holder's post
        of the same title stands for is that post, not a second one."""
        held = {p.title.lower() for p in self.posts if p.holder is not None}
        self.posts = [
            p
            for p in self.posts
            if p.holder or p.org or p.place or p.seats or p.title.lower() not in held
        ]
        self._post_index = {}
        for i, p in enumerate(self.posts):
            self._post_index.setdefault((p.title.lower(), _iri(p.org), _iri(p.place)), []).append(i)

    def post_titled(self, title: str) -> Post | None:
        """The last post met whose title starts with ``title`` ("Director of Finance")."""
        wanted = title.lower().strip()
        if not wanted:
            return None
        for post in reversed(self.posts):
            if post.title.lower().startswith(wanted) or wanted.startswith(post.title.lower()):
                return post
        return None

    def posts_of(self, person: Person) -> list[Post]:
        return [p for p in self.posts if p.holder is not None and p.holder.name == person.name]


def _iri(entity: Entity | None) -> str:
    return str(entity.iri) if entity else ""


def is_name(view: DocView, m: re.Match[str]) -> bool:
    """A matched name is a person's: no word that is never a name, two words or a title."""
    w = words(view.lexicon)
    parts = m.group("name").split()
    if any(p.rstrip(".") in w.not_names or p.rstrip(".").lower() in w.not_names for p in parts):
        return False
    return m.group("title") is not None or len(parts) >= 2


def canonical_title(view: DocView, title: str | None) -> str | None:
    if not title:
        return None
    return words(view.lexicon).titles.get(title.rstrip(".").lower(), title.rstrip("."))


def org_after(view: DocView, start: int, limit: int = 4, spaced: bool = False) -> Mention | None:
    """An organisation named right after ``start`` (", NHS X ICB", " - Healthwatch X"; with
    ``spaced``, after a space only: "Chief Officer Healthwatch X", never "help lead ICS-wide")."""
    gaps = _SPACED_GAP_RE if spaced else _GAP_RE
    for _, mentions in _mentions_near(view, start):
        for m in mentions:
            if m.entity.kind not in ("org", "place"):
                continue
            gap = view.text[start : m.span.start]
            if m.span.start >= start and gaps.fullmatch(gap) and len(gap) <= limit + 6:
                return m
    return None


_GAP_RE = re.compile(r"\s*[,;:–—(-][\s,;:–—(-]*(?:the\s+)?|\n\s*")
_SPACED_GAP_RE = re.compile(_GAP_RE.pattern + r"| (?:the\s+)?")


def _mentions_near(view: DocView, at: int) -> list[tuple[int, list[Mention]]]:
    here = view.sentence_at(at)
    if here is None:
        return []
    out = [(here.start, view.mentions.get(here.start, []))]
    after = here.end
    while after < len(view.text) and after - here.end < 8 and view.text[after].isspace():
        after += 1  # the next line may sit after a blank one (a signature, a table cell)
    nxt = view.sentence_at(after)
    if nxt is not None and nxt is not here:
        out.append((nxt.start, view.mentions.get(nxt.start, [])))
    return out


def extract_people(view: DocView) -> Directory:
    """Every person and post, in reading order."""
    directory = Directory()
    w = words(view.lexicon)
    org_spans = [m.span for ms in view.mentions.values() for m in ms if m.entity.kind == "org"]
    for sentence in view.sentences:
        text, base = view.cased[sentence.start : sentence.end], sentence.start
        for m in w.titled_re.finditer(text):
            if is_name(view, _as_person(m)) and not _inside(org_spans, base + m.start("name")):
                name = _clean_name(m.group("name"))
                directory.person(
                    name,
                    canonical_title(view, m.group("title")),
                    Span(base + m.start(), base + m.start("name") + len(name)),
                )
        for m in w.plural_titles_re.finditer(text):
            for part in re.split(r",\s*|\s+and\s+", m.group("rest")):
                part = part.strip()
                pm = w.person_re.fullmatch(part) or w.person_re.match(part)
                if pm and is_name(view, pm) and len(pm.group("name").split()) >= 2:
                    at = base + m.start("rest") + m.group("rest").find(part)
                    directory.person(pm.group("name"), "Councillor", Span(at, at + len(part)))
        _chair_alone(view, directory, sentence.start, text)
        _posts_in_sentence(view, directory, sentence.start, sentence.end)
        _post_of_name(view, directory, sentence.start, sentence.end)
        _chaired_by(view, directory, sentence.start, sentence.end)
    for span in view.people_spans:
        name = _clean_name(span.text)
        parts = name.split()
        if len(parts) < 2 or _inside(org_spans, span.start):
            continue
        if (
            any(p in w.not_names or p.lower() in w.not_names for p in parts)
            or parts[0].lower() in w.titles
        ):
            continue
        if not all(p[0].isupper() for p in parts) or len(parts) > 3:
            continue
        following = view.text[span.end : span.end + 12].split()
        if all(p in _org_words(view) for p in parts) or (
            following and following[0].rstrip("s,.") in view.resolver.v.org_heads
        ):
            continue  # "Wyvern North" in "Wyvern North PCNs": a place, not a person
        directory.person(name, None, Span(span.start, span.end))
    _signature(view, directory)
    _post_name_lines(view, directory)
    directory.drop_shadowed()
    return directory


_POST_NAME_RE = re.compile(r"^(?P<post>[A-Z][^:|–—]{2,80}?)\s*(?::|\s[–—-])\s+(?P<rest>\S.*)$")


def _post_name_lines(view: DocView, directory: Directory) -> None:
    """A leadership list, one post a line: "Chair: Dr Femi Oladipo, GP partner …",
    "Head of Operations – Grace Mbeki". The post is in a body the line names, else in the
    document's own body."""
    w = words(view.lexicon)
    for line in view.lines:
        text = view.cased[line.start : line.end]
        m = _POST_NAME_RE.match(text)
        if m is None:
            continue
        post = m.group("post").strip()
        titles = find_titles(view.reference, post, line.start)
        lead = len(post) - len(re.sub(r"^(?:The|Our)\s+", "", post))
        if (
            not titles
            or titles[0].start != line.start + lead
            or titles[-1].end != line.start + len(post)
        ):
            continue
        pm = w.person_re.match(m.group("rest"))
        if pm is None or not is_name(view, pm) or find_titles(view.reference, pm.group("name")):
            continue
        at = line.start + m.start("rest")
        title, org = _title_of_body(view, view.line_mentions(line), titles[0])
        person = directory.person(_clean_name(pm.group("name")), canonical_title(view, pm.group("title")),
                                  Span(at + pm.start("name"), at + pm.end()))  # fmt: skip
        directory.add_post(Post(title.title, title.role, Span(title.start, at + pm.end()),
                                org or view.body, None, person))  # fmt: skip


def _org_words(view: DocView) -> set[str]:
    return {w for e in view.resolver.learned.values() if e.kind == "org" for w in e.label.split()}


def _as_person(m: re.Match[str]) -> re.Match[str]:
    return m


def _clean_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip().rstrip(".,;:")
    return re.sub(r"[’']s$", "", name)


def _inside(spans: list[Span], at: int) -> bool:
    return any(s.start <= at < s.end for s in spans)


_CHAIR_RE = re.compile(
    r"^(?:The\s+)?(?P<t>Chair(?:man|woman|person)?|Vice[- ]Chair(?:man)?)\b(?!\s*\()"
)


def _chair_alone(view: DocView, directory: Directory, start: int, text: str) -> None:
    """ "The Chairman welcomed …": the chair's post in the body that met, holder unnamed."""
    m = _CHAIR_RE.match(text)
    if m is None or view.body is None or not view.is_record:
        return
    got = role_of(view.reference, m.group("t"))
    if got is not None:
        directory.add_post(
            Post(got[1], got[0], Span(start + m.start("t"), start + m.end("t")), view.body)
        )


def _posts_in_sentence(view: DocView, directory: Directory, start: int, end: int) -> None:
    """ "Name, Title, Org", "Name - Title, Org", "Dr X (Org Title)", "Org Title", "the Title,
    Org": a post wherever a title is scoped by a body or a place."""
    text = view.cased[start:end]
    w = words(view.lexicon)
    mentions = view.mentions.get(start, [])
    people = [
        (start + m.start(), start + m.end(), m)
        for m in w.person_re.finditer(text)
        if is_name(view, m)
    ]
    for title in find_titles(view.reference, text, start):
        title, org = _title_of_body(view, mentions, title)
        before = view.cased[start : title.start]
        prev = _adjacent_before(view, mentions, title.start)
        holder = (
            _holder(view, people, title.start)
            or (prev is not None and _holder(view, people, prev.span.start))  # "X, BSol Title"
            or _holder_after(view, people, title.end)
        )
        place = None
        paren = re.search(r"\(([^()]*)$", before)
        if org is not None:
            pass
        elif paren:  # "Dr X (BSol Clinical advisor for access)", "Dr X (Consultant, NHS E)"
            close = text.find(")", title.end - start)
            inside = [
                m
                for m in mentions
                if m.span.start >= start + paren.start()
                and (m.span.end <= title.start or title.end <= m.span.start < start + close)
            ]
            org, place = _scope(inside)
            if org is None and place is None and holder is not None:
                org = view.body
        elif re.search(r"\b[Oo]ur\s+$", before) and view.body is not None:
            org = view.body  # "Our Dental Commissioning Manager, Ruth Abiola": the writer's body
        elif re.search(r"\b(?:[Ii]ts|[Tt]heir)\s+$", before) and (
            holder is not None or view.cased[title.start].isupper()
        ):  # not "nominated its members"
            named = [m for m in mentions if m.entity.kind == "org" and m.span.end <= title.start]
            org = named[-1].entity if named else view.body  # "The PSU is led by its Director"
        elif prev is not None:
            org, place = _scope([prev])
        elif (
            nxt := org_after(view, title.end, spaced=view.cased[title.start].isupper())
        ) is not None:
            org, place = _scope([nxt])
        if org is None and place is None and holder is None:
            if _post_alone(view, directory, before, title):
                directory.add_post(Post(title.title, title.role, Span(title.start, title.end)))
            continue
        person = directory.person(*holder) if holder else None
        directory.add_post(
            Post(title.title, title.role, Span(title.start, title.end), org, place, person)
        )


_SMALL_WORDS = frozenset({"of", "for", "and", "the", "in", "&"})


def _post_alone(view: DocView, directory: Directory, before: str, title: TitleMatch) -> bool:
    """ "… delegated to the Director of Adult Social Services": a post the text names with
    no holder and no body, kept when it is a full title ("the" and two words or more) that
    no post met before already stands for."""
    return (
        bool(re.search(r"\b[Tt]he\s+$", before))
        and len(title.title.split()) >= 2
        and all(w[0].isupper() or w in _SMALL_WORDS for w in title.title.split())
        and directory.post_titled(title.title) is None
        and title.title.lower() not in view.reference.role_labels.values()
    )


def _title_of_body(
    view: DocView, mentions: list[Mention], title: TitleMatch
) -> tuple[TitleMatch, Entity | None]:
    """ "Chair of the Fernleigh Health Scrutiny Committee": the post is the Chair, its body
    the committee named in the title's "of …" tail."""
    for m in mentions:
        if m.entity.kind != "org" or not title.start < m.span.start < title.end:
            continue
        if m.source == "ner":
            continue  # "Cabinet Member for Public Health and Prevention": a portfolio
        head = view.cased[title.start : m.span.start]
        cut = re.search(r"\s+(?:of|for|at)(?:\s+the)?\s*$", head)
        if cut is None:
            continue
        got = role_of(view.reference, head[: cut.start()])
        if got is not None:
            return TitleMatch(
                title.start, title.start + cut.start(), head[: cut.start()], got[0]
            ), m.entity
    return title, None


def _post_of_name(view: DocView, directory: Directory, start: int, end: int) -> None:
    """ "Chair (Sir Robert Hale)", "The Director of Public Health (Dr Amina Yusuf)"."""
    text = view.cased[start:end]
    w = words(view.lexicon)
    for m in re.finditer(r"\(([^()]{3,60})\)", text):
        inner = m.group(1).strip()
        pm = w.person_re.fullmatch(inner)
        if pm is None or not is_name(view, pm):
            continue
        before = text[: m.start()].rstrip()
        titles = [
            t
            for t in find_titles(view.reference, before, start)
            if t.end >= start + len(before) - 1
        ]
        if not titles:
            continue
        title = titles[-1]
        person = directory.person(_clean_name(pm.group("name")), canonical_title(view, pm.group("title")),
                                  Span(start + m.start(1), start + m.end(1)))  # fmt: skip
        org = view.body if view.is_record else None
        nxt = org_after(view, start + m.end())
        if nxt is not None and nxt.entity.kind == "org":
            org = nxt.entity
        directory.add_post(
            Post(title.title, title.role, Span(title.start, start + m.end()), org, None, person)
        )


def _scope(mentions: list[Mention]) -> tuple[Entity | None, Entity | None]:
    org = next((m.entity for m in mentions if m.entity.kind == "org"), None)
    place = next((m.entity for m in mentions if m.entity.kind == "place"), None)
    return org, place


def _adjacent_before(view: DocView, mentions: list[Mention], start: int) -> Mention | None:
    for m in mentions:
        gap = view.text[m.span.end : start]
        if m.span.end <= start and re.fullmatch(r"(?:’s|'s)?\s+|\s*&\s*\w+s?\s+", gap or "x"):
            return m
    return None


def _holder(
    view: DocView, people: list[tuple[int, int, re.Match[str]]], at: int
) -> tuple[str, str | None, Span] | None:
    """The person a title at ``at`` belongs to: "Name, Title", "Name - Title", "Name (Title"."""
    for start, end, m in reversed(people):
        if (
            end <= at
            and re.fullmatch(
                r"\s*(?:,\s*|[-–—]\s*|\(\s*[^()]*|\)\s*[-–—,]\s*(?:\([^()]*\)\s*)?)"
                r"(?:[A-Z][\w-]*\s+and\s+)?",  # "Dr Leah Morgan, GP and Clinical Director of …"
                view.text[end:at],
            )
        ):
            return (
                _clean_name(m.group("name")),
                canonical_title(view, m.group("title")),
                Span(start, end),
            )
    return None


def _holder_after(
    view: DocView, people: list[tuple[int, int, re.Match[str]]], at: int
) -> tuple[str, str | None, Span] | None:
    """The person named in apposition after a title: "The Partnership's Place Director,
    Kofi Owusu, is ...", "its Chair, Dr Miriam Osei"."""
    for start, end, m in people:
        closed = re.match(r"\s*(?:[,;:.)]|$)", view.text[end : end + 2])  # not "North PCNs"
        if start >= at and closed and re.fullmatch(r"\s*,\s*", view.text[at:start]):
            return (
                _clean_name(m.group("name")),
                canonical_title(view, m.group("title")),
                Span(start, end),
            )
    return None


_CHAIRED_RE = re.compile(r"\b(?:is |was |will be )?chaired by\s+")


def _chaired_by(view: DocView, directory: Directory, start: int, end: int) -> None:
    """ "The programme board is chaired by Dr Leah Morgan, GP and ..."."""
    text = view.cased[start:end]
    w = words(view.lexicon)
    chair = role_of(view.reference, "chair")
    if chair is None:
        return
    for m in _CHAIRED_RE.finditer(text):
        pm = w.person_re.match(text, m.end())
        if pm is None or not is_name(view, pm):
            continue
        at = start + m.start()
        orgs = [
            x for x in view.mentions.get(start, []) if x.entity.kind == "org" and x.span.end <= at
        ]
        org = orgs[-1].entity if orgs else _subject_org(view, start, at)
        person = directory.person(_clean_name(pm.group("name")), canonical_title(view, pm.group("title")),
                                  Span(start + pm.start("name"), start + pm.end()))  # fmt: skip
        directory.add_post(Post(chair[1], chair[0], Span(at, start + pm.end()), org, None, person))


def _subject_org(view: DocView, start: int, at: int) -> Entity | None:
    """ "Our board is chaired by": the document's own body; "The programme board": a body
    the document names only in lower case."""
    subject = view.cased[start:at].strip()
    if re.match(r"^(?:Our|Its|The|This)\s+board$", subject, re.I) and view.body is not None:
        return view.body
    m = re.match(
        r"^(?:The|the)\s+([a-z][a-z -]{2,40}?\b(?:board|group|committee|panel|forum))$", subject
    )
    if m:
        return view.resolver.learn("org", m.group(1), local=True)
    return view.body


_SIGN_OFF_RE = re.compile(
    r"^(?:Yours (?:sincerely|faithfully)|Kind regards|Best wishes|Signed)[,.]?$", re.I
)


def _signature(view: DocView, directory: Directory) -> None:
    """A letter's signature: a name, then the post, then the body, each on its own line."""
    lines = view.lines
    for i, line in enumerate(lines):
        if not _SIGN_OFF_RE.match(line.text.strip()) or i + 1 >= len(lines):
            continue
        block = lines[i + 1 : i + 4]
        text = " ".join(b.text for b in block)
        w = words(view.lexicon)
        pm = w.person_re.match(block[0].text.strip())
        if pm is None or not is_name(view, pm):
            continue
        person = directory.person(_clean_name(pm.group("name")), canonical_title(view, pm.group("title")),
                                  Span(block[0].start, block[0].start + pm.end()))  # fmt: skip
        rest_start = block[0].start + pm.end()
        titles = find_titles(view.reference, view.cased[rest_start : block[-1].end], rest_start)
        if not titles:
            continue
        title = titles[0]
        org = org_after(view, title.end, limit=6)
        directory.add_post(Post(title.title, title.role, Span(title.start, title.end),
                                org.entity if org and org.entity.kind == "org" else None, None, person))  # fmt: skip
        del text


__all__ = [
    "Directory",
    "TitleMatch",
    "extract_people",
    "find_titles",
    "is_name",
    "role_of",
    "words",
]

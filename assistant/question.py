"""A question, understood once: what it asks for, what it names, which relation it is about.

:func:`analyse` reads a question with the lexicon (``ontology/lexicon.ttl``: the ask forms,
the cue words of each relation, synonyms, months) and the names of the graph
(:mod:`assistant.entities`). Everything later — the graph query, the passage sentences, the
checks, the composition — reads this one object and never re-parses the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from assistant.entities import EntityIndex, Mention, Token, find_mentions, name_key, tokens
from assistant.model import Conversation, LinkedEntity
from assistant.relations import Relation
from ingest.extract.dates import Period, find_dates
from kg.lexical import stems
from kg.lexicon import Entry, Lexicon
from kg.stores import LexicalIndex

# What each kind of answer a question asks for accepts from a relation ("answers:" headers).
ACCEPTS: dict[str, frozenset[str]] = {
    "agent": frozenset({"agent", "person", "body"}),
    "person": frozenset({"person", "agent"}),
    "body": frozenset({"body", "agent"}),
    "date": frozenset({"date"}),
    "number": frozenset({"number"}),
    "money": frozenset({"money"}),
    "expansion": frozenset({"expansion"}),
    "reason": frozenset(),
    "place": frozenset({"place"}),
}
_ACRONYM_RE = re.compile(r"^[A-Z][A-Z&]{1,9}s?$")


@dataclass(frozen=True)
class Term:
    """One unit of the question for matching text: a word (with its synonyms), a name (with
    every alias of the entity), or a date (with its short forms)."""

    label: str
    stems: frozenset[str]
    weight: float
    variants: tuple[str, ...] = ()
    pattern: str = ""
    cue: bool = False  # a word that says which relation is asked, not what it is about
    entity: bool = False
    forms: tuple[frozenset[str], ...] = ()  # matched when every stem of one form is there
    document: bool = False  # a place or a name that the document, not the passage, must say
    loose: bool = False  # a shortened name: its words count, its entity is only a guess

    def matches(self, text: str, text_stems: set[str]) -> bool:
        if self.forms:
            return any(form <= text_stems for form in self.forms)
        if self.pattern:
            return re.search(self.pattern, text, re.IGNORECASE) is not None
        if self.loose and self.stems and self.stems <= text_stems:
            return True
        if self.variants:
            folded = name_key(text)
            joined = " " + " ".join(folded) + " "
            if any(" " + " ".join(name_key(v)) + " " in joined for v in self.variants if v):
                return True
            return len(self.variants) == 1 and bool(self.stems) and self.stems <= text_stems
        return bool(self.stems & text_stems)


@dataclass(frozen=True)
class RelationChoice:
    """A relation the question may be about, the words that pointed to it, its parameters."""

    relation: Relation
    cue_words: tuple[str, ...]
    strength: float
    params: dict[str, list[str]] = field(default_factory=dict)
    strong: bool = True  # False when its only cues are function words ("for", "do")
    why: str = ""  # how it was chosen when no cue words were ("by kind: post")


@dataclass
class Question:
    text: str
    asks: str
    wants_list: bool
    acronym: str | None
    mentions: list[Mention]
    entities: list[LinkedEntity]
    relations: list[RelationChoice]
    periods: list[Period]
    terms: list[Term]
    retrieval_text: str
    follow_up: bool = False
    nonsense: str | None = None
    required: list[Term] = field(default_factory=list)
    asked_class: Term | None = None  # "which company ..." wants a sentence naming a company
    head: Term | None = None  # "the PSU's new headquarters": what is asked about the entity

    def entities_of(self, kinds: frozenset[str]) -> list[LinkedEntity]:
        return [e for e in self.entities if e.kind in kinds]

    @property
    def topic_terms(self) -> list[Term]:
        """The terms that say what the answer is about (not which relation is asked)."""
        return [t for t in self.terms if not t.cue]


def coverage(terms: list[Term], text: str, soft: dict[str, float] | None = None) -> float:
    """The idf-weighted share of ``terms`` that ``text`` matches (soft credit for near words)."""
    total = sum(t.weight for t in terms)
    if total == 0:
        return 1.0
    text_stems = set(stems(text))
    got = 0.0
    for term in terms:
        if term.matches(text, text_stems):
            got += term.weight
        elif soft and term.label in soft:
            got += term.weight * soft[term.label]
    return got / total


_STEMMER = Stemmer.Stemmer("english")


def phrase_key(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Words as phrases compare: stemmed, so "incorporate" meets "incorporated"."""
    return tuple(_STEMMER.stemWords(list(words)))


class Phrases:
    """The forms of lexicon entries, matched against question words (stemmed)."""

    def __init__(self, entries: list[Entry]) -> None:
        self.by_key: dict[tuple[str, ...], list[Entry]] = {}
        for entry in entries:
            for form in entry.forms:
                key = phrase_key(name_key(form))
                if key:
                    bucket = self.by_key.setdefault(key, [])
                    if entry not in bucket:
                        bucket.append(entry)
        self.longest = max((len(k) for k in self.by_key), default=0)

    def find(self, words: list[str], taken: set[int] | None = None) -> list[tuple[int, int, Entry]]:
        """(first word, end word, entry) of every form in ``words``, longest first, no overlap."""
        words = list(phrase_key(words))
        found = []
        used = set(taken or ())
        for size in range(min(self.longest, len(words)), 0, -1):
            for i in range(len(words) - size + 1):
                span = set(range(i, i + size))
                if span & used:
                    continue
                for entry in self.by_key.get(tuple(words[i : i + size]), ()):
                    found.append((i, i + size, entry))
                if self.by_key.get(tuple(words[i : i + size])):
                    used |= span
        return sorted(found, key=lambda f: f[0])


@lru_cache(maxsize=64)
def _phrases(lexicon: Lexicon, names: tuple[str, ...]) -> Phrases:
    """The phrases of lexicon schemes (plain names) and concepts (``lex:<local name>``)."""
    entries: list[Entry] = []
    for name in names:
        if name.startswith("lex:"):
            iri = "https://w3id.org/govkg/id/lexicon/" + name[4:]
            entries += [e for s in lexicon.scheme_names for e in lexicon.entries(s) if e.iri == iri]
        elif name in lexicon.scheme_names:
            entries += list(lexicon.entries(name))
    return Phrases(entries)


@dataclass
class Analyser:
    """Reads questions for one store: its names, its vocabulary, its relations."""

    lexicon: Lexicon
    index: EntityIndex
    lexical: LexicalIndex
    relations: tuple[Relation, ...]
    entity_candidates: int = 8

    @property
    def stop(self) -> frozenset[str]:
        return _stop_words(self.lexicon)

    def analyse(self, text: str, conversation: Conversation | None = None) -> Question:
        text = " ".join(text.split())
        toks = tokens(text)
        words = [t.norm for t in toks]
        mentions = find_mentions(self.index, text, self.stop)
        taken = {i for i, t in enumerate(toks) for m in mentions if m.start <= t.start < m.end}
        asks, wants_list, ask_words = self._asks(words, taken)
        acronym = self._acronym(toks, words, asks, taken)
        if acronym and asks in ("other", "list"):
            asks = "expansion"
        entities = self._entities(mentions, acronym)
        periods = [m.period for m in find_dates(self._dated_text(text), lexicon=self.lexicon)]
        follow_up, inherited = self._follow_up(words, taken, entities, conversation)
        entities += inherited
        relations = self._relations(words, taken, asks, entities, periods, conversation, follow_up)
        terms = self._terms(text, toks, mentions, relations, acronym, periods, ask_words)
        dated = {
            i
            for i, t in enumerate(toks)
            for p in periods
            if t.raw.lower() in p.label.lower().split()
        }
        required = self._required(
            toks, taken | dated, relations, asks_words=ask_words, acronym=acronym
        )
        retrieval = " ".join([text, *(e.label for e in inherited)])
        asked_class = self._asked_class(toks, taken, asks)
        head = self._head(toks, mentions, terms)
        terms += self._day_months(text)
        question = Question(
            text=text,
            asks=asks,
            wants_list=wants_list,
            acronym=acronym,
            mentions=mentions,
            entities=entities,
            relations=relations,
            periods=periods,
            terms=terms,
            retrieval_text=retrieval,
            follow_up=follow_up,
            required=required,
            asked_class=asked_class,
            head=head,
        )
        question.nonsense = self._nonsense(words, mentions, inherited)
        return question

    # -- what is asked ------------------------------------------------------------------

    def _asks(self, words: list[str], taken: set[int]) -> tuple[str, bool, set[int]]:
        """What the earliest ask phrase wants, whether a list is wanted, and the words used."""
        found = _phrases(self.lexicon, ("ask-forms",)).find(words, taken)
        kinds = [e.notation or "other" for _, _, e in found]
        used = {k for i, j, _ in found for k in range(i, j)}
        wants_list = "list" in kinds
        for kind in kinds:
            if kind != "list":
                return kind, wants_list, used
        return ("list" if wants_list else "other"), wants_list, used

    def _acronym(self, toks: list, words: list[str], asks: str, taken: set[int]) -> str | None:
        """The acronym an expansion question asks about ("What does RAFT stand for?", "what's
        the LMC"): asked in so many words, or the only word of a "what is" question."""
        candidates = [t.raw for t in toks if _ACRONYM_RE.match(t.raw)]
        if not candidates:
            # asked in lower case ("what does baf stand for"): a word the documents use as
            # an acronym, written as they write it
            known = self._known_acronyms()
            candidates = [
                known[t.raw.lower()]
                for t in toks
                if t.raw.lower() in known and t.norm not in self.stop
            ]
        if not candidates:
            return None
        if asks == "expansion":
            return candidates[0]
        content = [w for w in words if w not in self.stop]
        if len(content) == 1 and len(candidates) == 1 and words[:1] == ["what"]:
            return candidates[0]
        return None

    def _known_acronyms(self) -> dict[str, str]:
        """Lower-cased acronym -> the form the documents use (all capitals when one is)."""
        known: dict[str, str] = {}
        for names in self.index.acronyms.values():
            for name in names:
                key = name.lower()
                if key not in known or (name.isupper() and not known[key].isupper()):
                    known[key] = name
        return known

    def _entities(self, mentions: list[Mention], acronym: str | None) -> list[LinkedEntity]:
        out: list[LinkedEntity] = []
        for mention in mentions:
            iris = sorted(mention.iris, key=self._rank)[: self.entity_candidates]
            for iri in iris:
                if (
                    acronym
                    and mention.text.rstrip("s") == acronym.rstrip("s")
                    and not any(
                        a.upper() == acronym.upper() for a in self.index.acronyms.get(iri, [])
                    )
                ):
                    continue
                out.append(
                    LinkedEntity(
                        iri, self.index.label(iri), mention.text, self.index.kinds.get(iri, "")
                    )
                )
        return out

    def _rank(self, iri: str) -> tuple[int, int, str]:
        """Entities the reference graph defines, then those most documents name."""
        return (iri not in self.index.in_reference, -len(self.index.docs.get(iri, ())), iri)

    # -- follow-ups ------------------------------------------------------------------------

    def _follow_up(
        self,
        words: list[str],
        taken: set[int],
        entities: list[LinkedEntity],
        conversation: Conversation | None,
    ) -> tuple[bool, list[LinkedEntity]]:
        """A question that points back ("it", "she", "and the vice-chair?") takes the entities
        of the earlier turns: a person pronoun the last person named, any other the last
        question's subject."""
        if conversation is None or conversation.last is None:
            return False, []
        pointers = _phrases(self.lexicon, ("follow-up-words",)).find(words, taken)
        kinds = {e.notation for _, _, e in pointers}
        content = [w for w in words if w not in self.stop]
        elliptic = not entities and len(content) <= 4
        if not pointers and not elliptic:
            return False, []
        last = conversation.last
        if "person" in kinds:
            people = [
                e for e in (*last.answer_entities, *last.entities) if e.kind == "person"
            ] or conversation.recent_entities(frozenset({"person"}))
            chosen = people[:1]
        else:
            chosen = [e for e in last.entities if e.kind != "person"] or list(last.entities)
            if not chosen:
                chosen = conversation.recent_entities()[:1]
        if entities and not pointers:
            return False, []
        return True, [
            LinkedEntity(e.iri, e.label, "(from the conversation)", e.kind) for e in chosen
        ]

    # -- relations ---------------------------------------------------------------------------

    def _relations(
        self,
        words: list[str],
        taken: set[int],
        asks: str,
        entities: list[LinkedEntity],
        periods: list[Period],
        conversation: Conversation | None,
        follow_up: bool,
    ) -> list[RelationChoice]:
        """Every relation some words of the question point to, the strongest first."""
        choices: list[RelationChoice] = []
        accepted = ACCEPTS.get(asks)
        aux = next((i for i, w in enumerate(words) if w in _auxiliaries(self.lexicon)), None)
        all_spans = [
            {(i, j) for i, j, _ in _phrases(self.lexicon, r.cues).find(words, taken)}
            for r in self.relations
        ]
        for relation in self.relations:
            found = _phrases(self.lexicon, relation.cues).find(words, taken)
            if relation.name == "acronym" and asks == "expansion":
                found = found or [(0, 0, Entry("", "expansion", ()))]
            if not found:
                continue
            if accepted is not None and not (relation.answers & accepted):
                continue
            spans = {(i, j) for i, j, _ in found}
            first = min(i for i, _ in spans)
            # the longest cue, then more distinct cue words, then the earlier one (the main
            # verb comes before the words that describe its object)
            strength = max(j - i for i, j in spans) + 0.1 * (len(spans) - 1)
            strength += 0.05 * (1 - first / max(len(words), 1))
            strength += 0.01 * (len({e.iri for _, _, e in found}) - 1)  # several lists agree
            if any(tuple(words[i:j]) in _surface_forms(e) for i, j, e in found):
                # written as the cue is ("present"), not only its stem ("presented")
                strength += _EXACT_CUE
            if aux is not None and any(i > aux + 1 and i not in taken for i, _ in spans):
                # "What did members ask …": the first cue after the subject is the main verb
                verb = min(i for i, _ in spans if i > aux + 1)
                if all(
                    not any(k > aux + 1 and k < verb for k, _ in other_spans)
                    for other_spans in all_spans
                ):
                    strength += 0.1
            if any(e.kind in relation.subject_kinds for e in entities):
                strength += 0.5
            if periods and "period" in relation.subject_kinds:
                strength += 0.5
            cue_words = tuple(" ".join(words[i:j]) for i, j, _ in found if j > i)
            params = {
                var: self._param(words, taken, scheme)
                for var, scheme in relation.params
                if scheme != "retrieved"
            }
            strong = relation.name == "acronym" or any(
                any(w not in self.stop for w in words[i:j]) for i, j, _ in found
            )
            choices.append(RelationChoice(relation, cue_words, strength, params, strong))
        if follow_up and not choices and conversation and conversation.last:
            previous = next(
                (r for r in self.relations if r.name == conversation.last.relation), None
            )
            if previous is not None and (accepted is None or previous.answers & accepted):
                choices.append(RelationChoice(previous, (), 0.5, {}))
        if (not choices and accepted) or (choices and not any(c.strong for c in choices)):
            # nothing, or only function words ("what else does she do"), points to a relation
            choices += self._by_kind(accepted, entities)
        return sorted(choices, key=lambda c: -c.strength)

    def _by_kind(
        self, accepted: frozenset[str] | None, entities: list[LinkedEntity]
    ) -> list[RelationChoice]:
        """No words point to a relation ("who is the director of primary care at …"): the
        ontology does — the relations that answer what is asked about the kind of thing the
        question names first (its head: "the director … at the ICB" asks of the post), the
        most specific (fewest subject kinds) first."""
        order = list(dict.fromkeys(e.kind for e in entities))
        if accepted and order and order[0] == "person" and "person" in accepted:
            # "who is Subeena Suleman?": the question already names who; it asks what she is
            accepted = frozenset({"role", "post"})
        fitting = sorted(
            (
                r
                for r in self.relations
                if (accepted is None or r.answers & accepted)
                and r.subject_kinds & set(order)
                and r.name != "acronym"
            ),
            key=lambda r: (
                min(n for n, k in enumerate(order) if k in r.subject_kinds),
                len(r.subject_kinds),
                r.name,
            ),
        )
        return [
            RelationChoice(
                r,
                (),
                0.2 / (1 + n),
                {},
                why="by kind: " + next(k for k in order if k in r.subject_kinds),
            )
            for n, r in enumerate(fitting[:2])
        ]

    def _param(self, words: list[str], taken: set[int], scheme: str) -> list[str]:
        """IRIs of the ``scheme`` entries the question names, directly or through a synonym
        or cue concept related to them (``skos:related``)."""
        entries = self.lexicon.entries(scheme)
        own = {e.iri for e in entries}

        def value(entry: Entry) -> str:
            notation = entry.notation or ""
            return notation if notation.startswith("http") else entry.iri

        out: list[str] = []
        direct: set[int] = set()
        generic = _phrases(self.lexicon, ("generic-decision-words",))
        for i, j, entry in _phrases(self.lexicon, (scheme,)).find(words, taken):
            if generic.by_key.get(phrase_key(words[i:j])):
                continue  # "what did they resolve" asks for every decision
            if j - i > 1:  # a value named in several words is specific ("managing director")
                direct |= set(range(i, j))
            if value(entry) not in out:
                out.append(value(entry))
        related = _phrases(self.lexicon, ("synonyms", "relations")).find(words, taken)
        for i, j, entry in related:
            if direct & set(range(i, j)):
                continue  # "managing director" names its role: no wider "in charge"
            for iri in entry.related:
                if iri in own and iri not in out:
                    out.append(iri)
        return out

    # -- terms ---------------------------------------------------------------------------------

    def _terms(
        self,
        text: str,
        toks: list,
        mentions: list[Mention],
        relations: list[RelationChoice],
        acronym: str | None,
        periods: list[Period],
        ask_words: set[int],
    ) -> list[Term]:
        terms: list[Term] = []
        for mention in mentions:
            variants = tuple(
                sorted({v for iri in mention.iris[:4] for v in self.index.labels.get(iri, [])})
            ) or (mention.text,)
            group = frozenset(s for v in variants for s in stems(v))
            if not mention.exact:
                group = frozenset(stems(mention.text))
            place = all(self.index.kinds.get(i) == "place" for i in mention.iris)
            terms.append(
                Term(
                    mention.text,
                    group,
                    self._idf(group, best=True),
                    variants,
                    entity=True,
                    document=place,
                    loose=not mention.exact,
                )
            )
        in_mention = {i for i, t in enumerate(toks) for m in mentions if m.start <= t.start < m.end}
        cue_words = {w for c in relations for cue in c.cue_words for w in cue.split()}
        for period in periods:
            terms.append(self._date_term(period))
        date_words = {w.lower() for p in periods for w in re.findall(r"[A-Za-z0-9]+", p.label)}
        synonyms = _phrases(self.lexicon, ("synonyms",))
        words = [t.norm for t in toks]
        used: set[int] = set(in_mention)
        for i, j, entry in synonyms.find(words, in_mention):
            phrase = " ".join(t.raw for t in toks[i:j])
            forms = self.lexicon.synonyms(entry.label) | {phrase.lower()}
            group = frozenset(s for f in forms for s in stems(f))
            if not group or all(w in self.stop for w in words[i:j]):
                continue
            is_cue = all(w in cue_words for w in words[i:j])
            terms.append(Term(phrase, group, self._idf(group), cue=is_cue))
            used |= set(range(i, j))
        for i, tok in enumerate(toks):
            if i in used or tok.norm in self.stop or tok.raw.lower() in date_words:
                continue
            if acronym and tok.raw == acronym:
                continue
            word_stems = frozenset(stems(tok.raw))
            if not word_stems or any(t.label == tok.raw for t in terms):
                continue
            is_cue = tok.norm in cue_words or i in ask_words
            terms.append(Term(tok.raw, word_stems, self._idf(word_stems), cue=is_cue))
        if acronym:
            group = frozenset(stems(acronym))
            terms.append(Term(acronym, group, self._idf(group), (acronym,), entity=True))
        return terms

    def _required(
        self,
        toks: list,
        taken: set[int],
        relations: list[RelationChoice],
        asks_words: set[int],
        acronym: str | None,
    ) -> list[Term]:
        """What an answer's passage must say, whatever else it covers: the names the question
        gives that the graph does not know ("Eastmoor's audit committee"), and the lexicon
        values it asks about (the vice-chair, not the chair)."""
        out: list[Term] = []
        heads = _heads(self.lexicon)
        cues = {w for c in relations for cue in c.cue_words for w in cue.split()}
        for i, tok in enumerate(toks):
            if i in taken or i in asks_words or tok.norm in self.stop or tok.raw == acronym:
                continue
            if tok.norm in cues:
                continue  # "who leads Eastmoor Council": the verb asks, it names nothing
            group = frozenset(stems(tok.raw))
            if not group:
                continue
            if i > 0 and tok.raw[:1].isupper() and not tok.raw.isupper():
                if any(s in self.lexical.doc_freq for s in group):  # a name, not a typo
                    out.append(Term(tok.raw, group, self._idf(group), document=True))
            elif _modifies_a_head(toks, i, heads, taken, self.stop):
                out.append(Term(tok.raw, group, self._idf(group)))  # "audit" in "audit committee"
        seen: set[str] = set()
        roles: list[Term] = []
        words = [t.norm for t in toks]
        for choice in relations[:1]:
            for var, scheme in choice.relation.params:
                if scheme not in ("roles", "attendance-status"):
                    continue
                said = {
                    e.iri: frozenset(stems(" ".join(words[i:j])))
                    for i, j, e in _phrases(self.lexicon, (scheme,)).find(words, set())
                }
                for entry in self.lexicon.entries(scheme):
                    if entry.iri in choice.params.get(var, []) and entry.iri not in seen:
                        seen.add(entry.iri)
                        narrow = _forms_as_asked(entry, said.get(entry.iri))
                        if narrow:
                            roles.append(Term(entry.label, frozenset(), 1.0, pattern=narrow))
                            continue
                        forms = tuple(frozenset(stems(f)) for f in entry.forms if stems(f))
                        group = frozenset().union(*forms) if forms else frozenset()
                        roles.append(Term(entry.label, group, 1.0, forms=forms))
        if len(seen) > 1:  # several roles ("in charge"): any of them will do
            return out
        return out + roles

    def _asked_class(self, toks: list, taken: set[int], asks: str) -> Term | None:
        """The noun of a "which X ..." / "what X is ..." question (company, university), unless
        the ask forms already know it (which committee = a body)."""
        if not toks or toks[0].norm not in {"which", "what"} or asks not in ("other", "list"):
            return None
        modifiers = self._class_words("modifier")
        generic = self._class_words("generic")
        for i, tok in enumerate(toks[1:4], start=1):
            if i in taken:
                return None
            if tok.norm in modifiers:
                continue
            if tok.norm in generic or tok.norm in self.stop:
                return None
            after = toks[i + 1].norm if i + 1 < len(toks) else ""
            if toks[0].norm == "what" and after not in self.stop:
                return None  # "what launched", not "what company is"
            forms = self.lexicon.synonyms(tok.raw) | {tok.raw.lower()}
            group = frozenset(s for f in forms for s in stems(f))
            return Term(tok.raw, group, 1.0) if group else None
        return None

    def _head(self, toks: list, mentions: list[Mention], terms: list[Term]) -> Term | None:
        """What the question asks about a named entity: Y in "X's Y" or "the Y of X" (the
        PSU's new headquarters, the salary of the Chief Officer). A cue word (a role, a
        relation) is no head: its relation answers it."""
        spans = [(m.start, m.end) for m in mentions]

        def in_mention(tok: Token) -> bool:
            return any(s <= tok.start < e for s, e in spans)

        run: list[Token] = []
        for i, tok in enumerate(toks):
            possessive = (
                in_mention(tok)
                and (i + 1 < len(toks) and not in_mention(toks[i + 1]))
                and tok.raw.endswith("'s")
            )
            if possessive:
                run = []
                for nxt in toks[i + 1 :]:
                    if nxt.norm in self.stop or in_mention(nxt):
                        break
                    run.append(nxt)
                break
            if tok.norm == "of" and i + 1 < len(toks) and in_mention(toks[i + 1]) and run:
                break
            run = [] if tok.norm in self.stop or in_mention(tok) else [*run, tok]
        else:
            run = []
        for tok in reversed(run):
            term = next((t for t in terms if t.label == tok.raw), None)
            if term is not None and not term.cue and not term.entity and not term.pattern:
                return term
        return None

    def _class_words(self, notation: str) -> set[str]:
        return {
            name_key(f)[0]
            for e in self.lexicon.entries("class-words")
            if e.notation == notation
            for f in e.forms
            if name_key(f)
        }

    def _dated_text(self, text: str) -> str:
        """``text`` with the month names a question writes in lower case ("what happened in
        april 2023") capitalised as the date reader expects: a month's name anywhere, unless
        it is also a question word ("may"); any of its forms next to a number ("mar 23")."""
        stop = self.stop
        for entry in self.lexicon.entries("months"):
            for form in entry.forms:
                low = re.escape(form.lower())
                near = rf"\b{low}\b(?=\.?\s+\d)|(?<=\d\s){low}\b"
                if form == entry.label and form.lower() not in stop:
                    near = rf"\b{low}\b"
                text = re.sub(near, form[:1].upper() + form[1:], text)
        return text

    def _day_months(self, text: str) -> list[Term]:
        """ "21 June" with no year: a date the documents may write "21 Jun" (no period, since a
        date needs its year)."""
        months = {e.notation: e.forms for e in self.lexicon.entries("months")}
        terms = []
        for number, forms in months.items():
            names = "|".join(re.escape(f) for f in forms)
            for m in re.finditer(
                rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:{names})\b(?!\s+\d)|\b(?:{names})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*\d)",
                text,
                re.IGNORECASE,
            ):
                day = m.group(1) or m.group(2)
                pattern = rf"\b0?{day}(?:st|nd|rd|th)?\s+(?:{names})\b|\b(?:{names})\.?\s+0?{day}(?:st|nd|rd|th)?\b"
                terms.append(Term(m.group(0), frozenset(stems(m.group(0))), 4.0, (), pattern))
                del number
                break
        return terms

    def _date_term(self, period: Period) -> Term:
        """'November 2022' matches 'Nov 22', 'November 2022' and '11/2022' alike."""
        first = period.earliest
        month = next(
            (e for e in self.lexicon.entries("months") if e.notation == str(first.month)), None
        )
        names = "|".join(re.escape(f) for f in (month.forms if month else ()))
        year = str(first.year)
        short = year[2:]
        if len(period.start) == 4:
            pattern = rf"\b(?:{year}|['’]?{short})\b"
        else:
            pattern = rf"\b(?:{names})\.?\s*['’]?(?:{year}|{short})?\b|\b0?{first.month}/(?:{year}|{short})\b"
        group = frozenset(stems(period.label))
        return Term(period.label, group, self._idf(group) + 1.0, (), pattern)

    def _idf(self, term_stems: frozenset[str], best: bool = False) -> float:
        n = max(len(self.lexical.ids), 1)
        values = [
            math.log((n + 1) / (self.lexical.doc_freq.get(s, 0) + 0.5)) for s in term_stems
        ] or [1.0]
        return max(values) if best else sum(values) / len(values)

    # -- nonsense --------------------------------------------------------------------------------

    def _nonsense(
        self, words: list[str], mentions: list[Mention], inherited: list[LinkedEntity]
    ) -> str | None:
        """Words that cannot be a question about these documents."""
        content = [w for w in words if w not in self.stop]
        if not content and not inherited:
            return "it has no words to look for"  # "what does she do" asks of the last turn
        if len(words) >= 3 and len(set(content)) == 1 and len(content) >= 3:
            return "it repeats one word"
        if mentions or inherited:
            return None
        known = [
            w
            for w in content
            if any(s in self.lexical.doc_freq for s in stems(w)) or self.lexicon.synonyms(w) != {w}
        ]
        if not known:
            return "none of its words occur in the documents"
        return None


def _forms_as_asked(entry: Entry, asked: frozenset[str] | None) -> str:
    """A pattern for the role as the question words it, when that is narrower than the
    role: "managing director" is not any director (nor "medical directors … managers").
    Empty when the question names the role by its label, or not at all ("in charge")."""
    if not asked or asked == frozenset(stems(entry.label)):
        return ""
    narrow = [f for f in entry.forms if asked <= frozenset(stems(f))]
    if not narrow or len(narrow) == len(entry.forms):
        return ""
    return "|".join(
        r"\b" + r"[\s-]+".join(re.escape(w) for w in f.split()) + r"s?\b" for f in narrow
    )


_EXACT_CUE = 0.05  # below one cue word's worth: it breaks ties between stem-equal cues


@lru_cache(maxsize=4096)
def _surface_forms(entry: Entry) -> frozenset[tuple[str, ...]]:
    """An entry's forms as the question's words are compared (folded, not stemmed)."""
    return frozenset(k for f in (entry.label, *entry.forms) if (k := name_key(f)))


@lru_cache(maxsize=8)
def _heads(lexicon: Lexicon) -> frozenset[str]:
    """Head words of bodies that meet (committee, board, panel ...)."""
    return frozenset(k[-1] for w in lexicon.words("meeting-heads") if (k := name_key(w)))


def _modifies_a_head(
    toks: list, i: int, heads: frozenset[str], taken: set[int], stop: frozenset[str]
) -> bool:
    """Word ``i`` is part of a body's name the graph does not know ("audit committee"): one
    of the two words before a head word, in a span no entity took."""
    for j in (i + 1, i + 2):
        if j < len(toks) and toks[j].norm in heads and j not in taken:
            return all(k not in taken and toks[k].norm not in stop for k in range(i, j))
    return False


@lru_cache(maxsize=8)
def _auxiliaries(lexicon: Lexicon) -> frozenset[str]:
    return frozenset(k[0] for w in lexicon.words("auxiliaries") if (k := name_key(w)))


@lru_cache(maxsize=8)
def _stop_words(lexicon: Lexicon) -> frozenset[str]:
    words: set[str] = set()
    for form in lexicon.words("question-words") | lexicon.words("ask-softeners"):
        words.update(name_key(form))
    return frozenset(words)


__all__ = ["ACCEPTS", "Analyser", "Question", "RelationChoice", "Term", "coverage"]

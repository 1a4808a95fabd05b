"""The extraction rules, one module per layout or kind of fact. Each takes the read-only
:class:`~ingest.extract.document.DocView` (and, where it builds on another rule, that
rule's result, passed explicitly) and returns typed records; none writes RDF.

``run_rules`` is the whole order: people and posts first (later rules resolve "The
Director of Finance" through them), then the meeting and its items, who attended it, then what happened
under each item, then plans, bodies and dated events. Adding a layout is adding a rule
here and a gold document under ``tests/devcorpus/``.
"""

from __future__ import annotations

from ingest.extract.document import DocView
from ingest.extract.records import Extraction
from ingest.extract.rules.attendance import extract_attendance
from ingest.extract.rules.bodies import extract_bodies
from ingest.extract.rules.meeting import extract_meeting
from ingest.extract.rules.minutes import extract_minutes
from ingest.extract.rules.people import extract_people
from ingest.extract.rules.plans import extract_plans
from ingest.extract.rules.timeline import extract_timeline


def run_rules(view: DocView) -> Extraction:
    """Every record of one document."""
    directory = extract_people(view)
    meeting = extract_meeting(view, directory)
    attendance = extract_attendance(view, directory, meeting.header_end)
    minutes = extract_minutes(view, directory, meeting)
    plans = extract_plans(view)
    bodies = extract_bodies(view)
    events = extract_timeline(view, bodies.changes, meeting.meeting)
    return Extraction(
        mentions=[m for ms in view.mentions.values() for m in ms],
        acronyms=list(view.acronyms),
        variants={k: set(v) for k, v in view.resolver.variants.items()},
        people=list(directory.people),
        posts=[*directory.posts, *attendance.posts, *bodies.posts],
        meeting=meeting.meeting,
        attendance=attendance.attendance,
        items=meeting.items if meeting.meeting else [],
        declarations=meeting.declarations,
        presenters=minutes.presenters,
        decisions=minutes.decisions,
        actions=minutes.actions,
        questions=minutes.questions,
        priorities=plans.priorities,
        targets=plans.targets,
        changes=bodies.changes,
        relations=bodies.relations,
        purposes=bodies.purposes,
        runs=bodies.runs,
        events=events,
        plan=plans.plan,
        plan_title=plans.plan_title,
    )


__all__ = ["run_rules"]

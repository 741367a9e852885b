"""Tests for the curated knowledge base (content/) and its loader (bot.content)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content import (
    ContentError,
    ContentIssue,
    Knowledge,
    collapse,
    limits,
    load_content,
)
from bot.engine.text import clean
from bot.engine.triage import Triage

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SEED_FILES = ("000_957b60e58cfbe4a7.txt", "002_d2dc8c40f1a56102.txt")
BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "content_broken"

DOSE_RE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s?(mg|milligrams?|ml|millilit(?:er|re)s?|mcg|micrograms?|g|grams?|iu|units?)\b"
    r"|\b(one|two|three|four|\d+) (tablets?|pills?|capsules?|caps) (a|per|every)\b",
    re.IGNORECASE,
)
PRESCRIPTION_DRUGS = (
    "diazepam",
    "valium",
    "cyclobenzaprine",
    "flexeril",
    "carisoprodol",
    "soma",
    "metaxalone",
    "skelaxin",
    "methocarbamol",
    "baclofen",
    "tizanidine",
    "dantrolene",
    "quinine",
    "statin",
    "diuretic",
    "botulinum",
    "benzodiazepine",
)
CLINICIAN_RE = re.compile(
    r"doctor|pharmacist|clinician|prescri|midwife|neurologist|surgical team", re.IGNORECASE
)


@pytest.fixture(scope="module")
def kb() -> Knowledge:
    return load_content(CONTENT)


def seed_question_lines() -> list[str]:
    lines: list[str] = []
    for name in SEED_FILES:
        for raw in (SEEDS / name).read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line.endswith("?") and len(line) <= 150:
                lines.append(line)
    return lines


_TRIAGE: dict[int, Triage] = {}


def triggered(kb: Knowledge, message: str) -> list[str]:
    triage = _TRIAGE.setdefault(id(kb), Triage(kb))
    return [rule.id for rule in triage.fired(clean(message).text)]


# --- the shipped content ------------------------------------------------------


def test_shipped_content_loads_without_issues(kb: Knowledge) -> None:
    assert kb.summary_line().startswith("OK: ")
    assert len(kb.topics) == 12
    assert len(kb.entries) >= 45
    assert len(kb.triage) >= 11


def test_summary_line_counts(kb: Knowledge) -> None:
    phrasings = sum(len(e.questions) for e in kb.entries.values())
    assert kb.summary_line() == (
        f"OK: {len(kb.entries)} entries, {phrasings} phrasings, "
        f"{len(kb.topics)} topics, {len(kb.triage)} triage rules"
    )


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed files not available")
def test_every_seed_question_is_in_exactly_one_entry(kb: Knowledge) -> None:
    lines = seed_question_lines()
    distinct = set(lines)
    assert len(lines) == 82
    assert len(distinct) == 74
    for question in sorted(distinct):
        owners = [e.id for e in kb.entries.values() if question in e.questions]
        assert len(owners) == 1, f"{question!r} is in {owners}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed files not available")
def test_each_entry_has_everyday_phrasings_beyond_the_seeds(kb: Knowledge) -> None:
    """Every entry needs lay phrasings; the upper bound only catches a runaway paste."""
    seeds = set(seed_question_lines())
    for entry in kb.entries.values():
        extra = [q for q in entry.questions if q not in seeds]
        assert 4 <= len(extra) <= 40, f"{entry.id} has {len(extra)} extra phrasings"


def test_no_phrasing_in_two_entries(kb: Knowledge) -> None:
    owner: dict[str, str] = {}
    for entry in kb.entries.values():
        for question in entry.questions:
            key = collapse(question)
            assert owner.setdefault(key, entry.id) == entry.id, (question, owner[key], entry.id)


EXPECTED = {
    "definitions": (
        "what-is-a-spasm",
        ["what-is-a-muscle-spasm", "charley-horse-name", "muscle-types"],
    ),
    "cramp-vs-spasm": ("cramp-vs-spasm", ["cramp-vs-spasm", "spasm-vs-twitch"]),
    "causes": (
        "spasm-causes",
        [
            "what-causes-spasms",
            "stress-and-spasms",
            "diseases-causing-spasms",
            "risk-factors",
            "night-leg-cramps",
            "electrolytes-and-cramps",
            "medication-side-effect-cramps",
        ],
    ),
    "symptoms": (
        "spasm-symptoms",
        [
            "spasm-symptoms",
            "what-spasm-feels-like",
            "back-spasm-feel",
            "common-spasm-locations",
            "eyelid-twitch",
        ],
    ),
    "types": ("spasm-types", ["types-of-spasms", "types-of-cramps"]),
    "duration": (
        "spasm-duration",
        ["how-long-spasms-last", "back-spasm-duration", "permanent-spasms", "daily-spasms"],
    ),
    "relief": (
        "spasm-relief",
        [
            "stop-a-spasm",
            "treatment",
            "heat-or-ice",
            "back-spasm-relief",
            "calf-cramp-relief",
            "breathing-and-cramps",
            "neck-spasm-relief",
        ],
    ),
    "prevention": ("prevent-cramps", ["prevent-leg-spasms", "prevent-spasms"]),
    "medications": (
        "spasm-medicines",
        ["best-medicine", "muscle-relaxers", "relaxer-classes", "natural-relaxers"],
    ),
    "when-to-see-doctor": (
        "when-to-see-doctor",
        ["when-to-worry", "spasms-not-improving", "prognosis"],
    ),
    "related-conditions": (
        "related-conditions",
        ["dystonia", "tetany", "als-early-signs", "dvt-vs-cramp", "pregnancy-cramps"],
    ),
    "diagnosis": ("spasm-diagnosis", ["how-spasms-are-diagnosed", "spasm-blood-tests"]),
}


def test_topics_commands_and_entry_ids(kb: Knowledge) -> None:
    assert list(kb.topics) == list(EXPECTED)
    for topic_id, (command, entry_ids) in EXPECTED.items():
        topic = kb.topics[topic_id]
        assert topic.command == command
        assert limits.COMMAND_NAME_RE.match(topic.command)
        assert 1 <= len(topic.description) <= 99
        assert topic.lead_with_warnings == (topic_id == "when-to-see-doctor")
        for entry_id in entry_ids:
            assert kb.entries[entry_id].topic == topic_id
        assert set(entry_ids) <= set(topic.entry_ids)


def test_entries_ordered_by_topic(kb: Knowledge) -> None:
    order = [kb.topics[e.topic].order for e in kb.entries.values()]
    assert order == sorted(order)
    assert list(kb.entries) == [i for t in kb.topics.values() for i in t.entry_ids]


def test_seeded_facts_land_in_the_intended_entries(kb: Knowledge) -> None:
    def owner(question: str) -> str:
        return next(e.id for e in kb.entries.values() if question in e.questions)

    assert owner("Regenerative Medicine Therapy for Muscle Spasm?") == "treatment"
    assert owner("What is Muscle Spasm?") == "what-is-a-muscle-spasm"
    assert owner("How many breaths per minute for cramps?") == "breathing-and-cramps"
    assert owner("What to take for muscle cramps?") == "best-medicine"
    assert owner("What’s a back spasm feel like?") == "back-spasm-feel"
    assert owner("what is the difference between a blood clot and a leg cramp?") == "dvt-vs-cramp"


def test_answers_are_phone_sized(kb: Knowledge) -> None:
    for entry in kb.entries.values():
        assert len(entry.answer) <= 1000, entry.id
        assert len(entry.title) <= limits.EMBED_TITLE
    for topic in kb.topics.values():
        assert len(topic.summary) <= limits.SUMMARY_MAX


def test_no_answer_contains_a_dose(kb: Knowledge) -> None:
    texts = [(e.id, e.answer) for e in kb.entries.values()]
    texts += [(t.id, t.summary) for t in kb.topics.values()]
    texts += [(r.id, r.guidance) for r in kb.triage]
    for name, text in texts:
        assert not DOSE_RE.search(text), f"{name}: {DOSE_RE.search(text)}"


def test_prescription_drugs_point_to_a_clinician(kb: Knowledge) -> None:
    for entry in kb.entries.values():
        text = f"{entry.title}\n{entry.answer}".casefold()
        for drug in PRESCRIPTION_DRUGS:
            if re.search(rf"\b{drug}", text):
                assert CLINICIAN_RE.search(text), f"{entry.id} names {drug} without a clinician"


def test_quinine_only_as_not_recommended(kb: Knowledge) -> None:
    for entry in kb.entries.values():
        for sentence in re.split(r"(?<=[.!?])\s+", entry.answer):
            if "quinine" in sentence.casefold():
                assert re.search(r"\bnot\b", sentence, re.IGNORECASE), (entry.id, sentence)


def test_seed_errors_are_not_repeated(kb: Knowledge) -> None:
    everything = "\n".join(e.answer for e in kb.entries.values()).casefold()
    assert "excessive amounts of oxygen" not in everything
    assert "most common type of seizure" not in everything
    assert "no known remedy" not in everything
    assert "true muscle cramps." not in everything
    assert "breaths per minute" not in everything
    # hyperventilation may be named as a cause of cramps, never as a remedy
    for entry in kb.entries.values():
        for sentence in re.split(r"(?<=[.!?:])\s+", entry.answer):
            lowered = sentence.casefold()
            if "hyperventilat" in lowered and re.search(
                r"\b(try|use|helps?|resolve|relieve)", lowered
            ):
                assert re.search(r"don't|do not|\bnot\b", lowered), (entry.id, sentence)


def test_sources_are_seed_files_or_curator(kb: Knowledge) -> None:
    for entry in kb.entries.values():
        assert entry.sources
        assert set(entry.sources) <= {*SEED_FILES, "curator"}, entry.id


def test_synonyms(kb: Knowledge) -> None:
    assert 80 <= len(kb.synonyms) <= 600
    for key in ("charley horse", "charlie horse", "advil", "aleve", "tylenol", "doc", "dvt"):
        assert key in kb.synonyms
    assert kb.synonyms["tylenol"] == "acetaminophen paracetamol"
    for key, value in kb.synonyms.items():
        assert key == collapse(key)
        assert value


def test_texts(kb: Knowledge) -> None:
    texts = kb.texts
    assert 0 < len(texts.disclaimer) <= 200
    assert 0 < len(texts.about) <= 1800
    assert 0 < len(texts.help) <= 600
    assert 0 < len(texts.no_answer) <= 300
    assert "/forget-me" in texts.about
    assert "Not helpful" in texts.about
    assert "/ask" in texts.help and "/topics" in texts.help


# --- triage -----------------------------------------------------------------

URGENT = [
    ("my calf is puffy and warm since my flight", "blood-clot"),
    ("My left calf is swollen and red, is it a cramp?", "blood-clot"),
    ("one of my legs is bigger than the other and it hurts", "blood-clot"),
    ("leg has been painful and swollen since my surgery last week", "blood-clot"),
    ("I think I have a blood clot in my leg", "blood-clot"),
    ("my back spasms so bad I can't breathe", "breathing"),
    ("throat feels tight and I have trouble swallowing with these spasms", "breathing"),
    ("I have chest pain and my arm is cramping", "chest-pain"),
    ("tightness in my chest after a cramp", "chest-pain"),
    ("my son had a seizure, his whole body was jerking", "seizure"),
    ("I passed out after a bad leg cramp", "seizure"),
    ("my face is drooping on one side and my arm is weak", "stroke"),
    ("suddenly my speech is slurred and my hand cramps", "stroke"),
    ("neck spasms since my car accident yesterday", "head-neck-injury"),
    ("I hit my head and now my neck keeps twitching", "head-neck-injury"),
    ("my pee is dark brown after leg day and my thighs are swollen", "rhabdo"),
    ("cola coloured urine after a marathon", "rhabdo"),
    ("I have a fever and a stiff neck", "meningitis"),
    ("my lips are tingling and my hands are cramping", "low-calcium"),
    ("had my thyroid removed and now my fingers cramp", "low-calcium"),
    ("I took too many muscle relaxers", "overdose"),
    ("took a flexeril and had a few beers, feel weird", "overdose"),
    ("I want to kill myself", "self-harm"),
    ("these cramps make me want to die", "self-harm"),
    ("stepped on a rusty nail and now my jaw is stiff", "tetanus"),
    ("I can't open my mouth properly", "tetanus"),
    ("back spasm and I lost control of my bladder", "cauda-equina"),
    ("lower back pain and my groin is numb", "cauda-equina"),
    (
        "started a new anti-sickness medicine and my neck is twisting to one side",
        "acute-dystonic-reaction",
    ),
    ("My **calf** is ＳＷＯＬＬＥＮ and warm", "blood-clot"),
    ("my calf’s swollen since my flight", "blood-clot"),
    ("my left leg is fatter than the other one and hot to the touch", "blood-clot"),
    ("spasm in my chest and a crushing feeling going to my jaw", "chest-pain"),
    ("my fingers are curling into a claw and won't straighten", "low-calcium"),
    ("running a fever of 39.5c and my neck is stiff", "meningitis"),
    ("my sister took a handful of flexerils and is really drowsy", "overdose"),
    ("sudden numbness in my left arm and face", "stroke"),
    ("cramps are so bad i wanna kms", "self-harm"),
]

ORDINARY = [
    "why do my calves cramp at night?",
    "what is a charley horse?",
    "is heat or ice better for a back spasm?",
    "how do muscle relaxers work?",
    "what is the difference between a blood clot and a leg cramp?",
    "what does a blood clot in the leg feel like?",
    "my calf locked up",
    "my back seized up, what do I do?",
    "can I drink alcohol on muscle relaxers?",
    "I fell asleep and woke up with a charley horse",
    "how many breaths per minute for cramps?",
    "can a stroke cause muscle spasms?",
    "what is tetany?",
    "is eye twitching serious?",
    "does a warm bath help my calf cramp?",
    "my calf cramps but there's no swelling",
    "no chest pain, just a cramp in my side",
    "my back is seizing up",
    "what is rhabdo?",
    "can thyroid problems cause cramps?",
    "what is dystonia?",
    "I get cramps when I run",
    "is it normal to have muscle spasms everyday?",
    "my leg hurts after a cramp last night",
    "I have a crick in my neck from sleeping funny",
    "is a fever a side effect of muscle relaxers?",
    "how can I tell a blood clot from a cramp?",
    "what is the difference between tetany and tetanus?",
    "my hands cramp when I write a lot",
    "can muscle relaxers and alcohol be mixed?",
    "what does ALS feel like in the beginning?",
]


@pytest.mark.parametrize(("message", "rule_id"), URGENT)
def test_urgent_messages_trigger_the_intended_rule(
    kb: Knowledge, message: str, rule_id: str
) -> None:
    assert rule_id in triggered(kb, message)


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_questions_trigger_no_rule(kb: Knowledge, message: str) -> None:
    assert triggered(kb, message) == []


def test_no_faq_phrasing_triggers_triage(kb: Knowledge) -> None:
    for entry in kb.entries.values():
        for question in (entry.title, *entry.questions):
            assert triggered(kb, question) == [], (entry.id, question)


def test_triage_rules_are_well_formed(kb: Knowledge) -> None:
    ids = {r.id for r in kb.triage}
    for required in (
        "blood-clot",
        "breathing",
        "chest-pain",
        "seizure",
        "stroke",
        "head-neck-injury",
        "rhabdo",
        "meningitis",
        "low-calcium",
        "overdose",
        "self-harm",
    ):
        assert required in ids
    for rule in kb.triage:
        assert rule.severity in limits.TRIAGE_SEVERITIES
        assert len(rule.guidance) <= limits.GUIDANCE_MAX
        assert re.search(r"emergency|urgent care|today|same day|crisis", rule.guidance, re.I)
        if rule.related is not None:
            assert rule.related in kb.entries
    crisis = next(r for r in kb.triage if r.id == "self-harm")
    assert crisis.severity == "crisis"
    assert "988" in crisis.guidance and "findahelpline.com" in crisis.guidance


def test_triage_sees_messages_as_the_engine_cleans_them() -> None:
    assert clean("  My **Calf’s**   SWOLLEN <@123> ").text == "my calf's swollen"
    assert clean("ﬁne ||spoiler|| [see](https://x.y/z)").text == "fine spoiler see"


# --- error classes (one broken fixture each) ----------------------------------

CASES = [
    ("toml_syntax", "topics/extra.toml", 13, "TOML syntax error"),
    ("missing_key", "topics/basics.toml", 22, "missing required key 'answer'"),
    ("unknown_key", "topics/extra.toml", 14, "unknown key 'tags'"),
    ("wrong_type", "topics/extra.toml", 12, "'questions' must be a list of strings"),
    ("duplicate_entry_id", "topics/extra.toml", 9, "duplicate entry id 'stretching'"),
    ("duplicate_phrasing", "topics/extra.toml", 12, "duplicate phrasing 'WHATS  a cramp'"),
    ("unknown_see_also", "topics/basics.toml", 18, "unknown entry 'stretchin'"),
    ("self_see_also", "topics/basics.toml", 27, "lists itself in see_also"),
    ("bad_command", "topics/extra.toml", 4, "not a valid Discord command name"),
    ("duplicate_command", "topics/extra.toml", 4, "command 'basics' is also used"),
    ("long_description", "topics/extra.toml", 5, "'description' is 100 characters"),
    ("empty_summary", "topics/extra.toml", 7, "'summary' must not be empty"),
    ("title_too_long", "topics/extra.toml", 11, "'title' is 301 characters (limit 256)"),
    ("answer_too_long", "topics/extra.toml", 13, "(limit 4096)"),
    ("empty_questions", "topics/extra.toml", 12, "empty 'questions' list"),
    ("reviewed_not_date", "topics/extra.toml", 15, "'reviewed' must be a date"),
    ("bad_regex", "triage.toml", 7, "invalid regex"),
    ("unknown_related", "triage.toml", 6, "unknown entry 'hot-or-cold'"),
    ("bad_severity", "triage.toml", 4, "severity 'panic'"),
    ("rule_without_patterns", "triage.toml", 1, "needs at least one 'any' regex"),
    ("missing_texts_key", "texts.toml", None, "missing required key 'help'"),
    ("missing_file", "triage.toml", None, "required file is missing"),
    ("bad_synonym", "synonyms.toml", 3, "not used in any entry: yoga"),
    ("topic_id_mismatch", "topics/extra.toml", 2, "must match the file name"),
    ("bad_entry_id", "topics/extra.toml", 10, "must be a lowercase slug"),
    ("reference_not_https", "references.toml", 4, "must be a full https:// link"),
    ("reference_empty_name", "references.toml", 3, "'name' must not be empty"),
    ("next_review_before_reviewed", "topics/extra.toml", 16, "must be after 'reviewed'"),
    ("next_review_not_date", "topics/extra.toml", 16, "'next_review' must be a date"),
    ("unknown_guidance", "topics/extra.toml", 17, "unknown guidance 'nhs-leg-crampz'"),
]


def test_fixture_base_is_valid() -> None:
    kb = load_content(BROKEN / "valid_base")
    assert kb.summary_line() == "OK: 3 entries, 5 phrasings, 2 topics, 1 triage rules"
    assert kb.entries["heat"].topic == "extra"
    assert kb.entries["heat"].line == 9
    assert kb.synonyms["charley horse"] == "cramp"
    heat = kb.entries["heat"]
    assert [g.url for g in heat.guidance] == ["https://www.nhs.uk/conditions/leg-cramps/"]
    assert heat.next_review is not None and heat.next_review > heat.reviewed
    assert kb.topics["extra"].guidance == heat.guidance


def test_every_entry_names_checkable_guidance_and_review_dates(kb: Knowledge) -> None:
    for entry in kb.entries.values():
        assert entry.guidance, f"{entry.id} names no guidance"
        assert all(g.url.startswith("https://") and g.name.strip() for g in entry.guidance)
        assert entry.next_review is not None, entry.id
        assert entry.next_review > entry.reviewed, entry.id
    for topic in kb.topics.values():
        assert topic.guidance, f"topic {topic.id} shows no sources"


def test_overdue_entries_are_listed(kb: Knowledge) -> None:
    import datetime

    assert kb.overdue(datetime.date(2027, 1, 1)) == ()
    assert len(kb.overdue(datetime.date(2030, 1, 1))) == len(kb.entries)


def test_every_fixture_case_is_tested() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir()} - {"valid_base"}
    assert on_disk == {case for case, *_ in CASES} | {"bot_command"}


@pytest.mark.parametrize(("case", "file", "line", "message"), CASES)
def test_broken_content_is_reported(case: str, file: str, line: int | None, message: str) -> None:
    root = BROKEN / case
    with pytest.raises(ContentError) as info:
        load_content(root)
    issues = info.value.issues
    assert len(issues) == 1, str(info.value)
    issue = issues[0]
    assert issue.file == root / file
    assert issue.line == line
    assert message in issue.message
    shown = str(issue)
    assert shown.endswith(f": {issue.message}")
    location = f"{file}:{line}:" if line is not None else f"{file}:"
    assert location in shown
    assert str(info.value) == shown


def test_topic_command_equal_to_a_bot_command_is_reported() -> None:
    root = BROKEN / "bot_command"
    load_content(root)  # without the bot's names the folder is valid
    with pytest.raises(ContentError) as info:
        load_content(root, bot_commands={"ask", "missed"})
    (issue,) = info.value.issues
    assert (issue.file, issue.line) == (root / "topics/extra.toml", 4)
    assert "command 'missed' is one of the bot's own commands" in issue.message


def test_missing_content_folder(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as info:
        load_content(tmp_path / "nope")
    assert len(info.value.issues) == 1
    assert "does not exist" in str(info.value)


def test_all_problems_are_collected(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(BROKEN / "valid_base", root)
    extra = root / "topics" / "extra.toml"
    text = extra.read_text(encoding="utf-8")
    text = text.replace('command = "extra-facts"', 'command = "Bad Name"')
    text = text.replace("reviewed = 2026-11-23", 'reviewed = "soon"')
    extra.write_text(text, encoding="utf-8")
    (root / "texts.toml").unlink()
    with pytest.raises(ContentError) as info:
        load_content(root)
    assert len(info.value.issues) == 3
    assert len(str(info.value).splitlines()) == 3


def test_issue_str_without_line() -> None:
    issue = ContentIssue(Path("/x/content/texts.toml"), None, "boom")
    assert str(issue).endswith("texts.toml: boom")
    assert str(ContentIssue(Path("/x/a.toml"), 3, "bad")).endswith("a.toml:3: bad")


def test_every_source_has_a_readable_name() -> None:
    knowledge = load_content(CONTENT)
    used = {s for e in knowledge.entries.values() for s in e.sources}
    assert used <= set(knowledge.texts.source_names), used - set(knowledge.texts.source_names)
    assert all(not name.endswith(".txt") for name in knowledge.texts.source_names.values())


def test_scope_rules_load_and_report_bad_regexes(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    knowledge = load_content(root)
    assert {r.id for r in knowledge.scope} >= {"period-cramps", "twitch-platform"}
    (root / "scope.toml").write_text(
        '[[outside]]\nid = "x"\nname = "X"\nreply = "r"\nany = [\'(unclosed\']\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as info:
        load_content(root)
    text = str(info.value)
    assert "scope.toml:5" in text and "invalid regex" in text
    assert "unknown key 'colour'" in text
    (root / "scope.toml").unlink()
    assert load_content(root).scope == ()


# --- clinical review 2026-12-02 (content/CURATION.md, content/SAFETY.md) ----------------------

EMERGENCY_SIGNS = {
    "fever with a stiff neck": r"fever with a stiff neck",
    "locked jaw after a wound": r"locked jaw after a wound",
    "saddle numbness": r"numbness around the groin or buttocks",
    "new bladder or bowel loss": r"new loss of bladder or bowel control",
    "dark urine after exertion": r"dark or cola-coloured urine after hard exercise",
}


def _emergency_part(text: str) -> str:
    """The text before the same-day section: what is told to call the emergency number."""
    return re.split(r"same-day", text, flags=re.IGNORECASE)[0]


def test_emergency_signs_are_emergencies_on_card_and_entry(kb: Knowledge) -> None:
    texts = {
        "card": kb.topics["when-to-see-doctor"].summary,
        "entry": kb.entries["when-to-worry"].answer,
    }
    for where, text in texts.items():
        emergency = _emergency_part(text)
        assert re.search(r"emergency number or go to A&E now", emergency), where
        for sign, pattern in EMERGENCY_SIGNS.items():
            assert re.search(pattern, emergency, re.IGNORECASE), (where, sign)


MEDICINE_WARNINGS = {
    "muscle-relaxers": [
        r"never stop baclofen or a benzodiazepine suddenly",
        r"never take someone else's",
        r"carisoprodol\*\* can be misused and cause dependence",
        r"older adults\*\* risk sedation, confusion and falls",
        r"cyclobenzaprine with .*serotonergic medicines risks serotonin syndrome",
    ],
    "best-medicine": [
        r"quinine\*\* is prescription-only",
        r"tonic water is not a treatment",
        r"don't stop or change it on your own: talk to your prescriber",
        r"report side effects",
        r"65\+",
        r"pregnant",
        r"blood thinners",
        r"stomach ulcers",
        r"never take two nsaids together",
        r"no aspirin for under-16s",
    ],
    "night-leg-cramps": [r"growing pains", r"aspirin \(under 16s\)", r"adult muscle relaxers"],
    "calf-cramp-relief": [r"knee straight and heel down"],
    "what-causes-spasms": [r"sometimes an irritated or pinched nerve"],
}


@pytest.mark.parametrize(("entry_id", "patterns"), sorted(MEDICINE_WARNINGS.items()))
def test_clinical_review_warnings_are_in_the_answers(
    kb: Knowledge, entry_id: str, patterns: list[str]
) -> None:
    answer = kb.entries[entry_id].answer
    for pattern in patterns:
        assert re.search(pattern, answer, re.IGNORECASE), (entry_id, pattern)


def test_medicines_card_carries_the_key_warnings(kb: Knowledge) -> None:
    summary = kb.topics["medications"].summary.casefold()
    for phrase in ("someone else's prescription", "never stop baclofen", "tonic water"):
        assert phrase in summary


def test_no_calf_stretch_with_a_bent_knee(kb: Knowledge) -> None:
    for entry in kb.entries.values():
        assert "knee slightly bent" not in entry.answer, entry.id

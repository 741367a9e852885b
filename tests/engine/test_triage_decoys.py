"""Decoys: ordinary and informational messages that must fire no triage rule, plus the
mechanics (most severe wins, negation, past and resolved events, questions, any text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import SEVERITY_ORDER
from bot.engine.text import clean
from tests.engine.triage_helpers import explain, fired_ids, triage, winner

DECOYS = [
    # informational questions about a danger
    "how do i tell a clot from a cramp",
    "what does a stroke feel like?",
    "what are the signs of meningitis in kids",
    "can statins cause muscle aches",
    "is baclofen withdrawal dangerous",
    "what are the warning signs of heat stroke",
    "what is serotonin syndrome",
    "what is neuroleptic malignant syndrome",
    "what does a black widow bite look like",
    "what are the symptoms of pre-eclampsia",
    "can dehydration cause cramps?",
    "can water tablets cause cramps",
    "does low potassium cause cramps",
    "what is compartment syndrome",
    "how do you know if you have rhabdo",
    "is a stiff neck a sign of meningitis",
    "difference between a charley horse and a blood clot",
    "what happens if you stop baclofen suddenly",
    "can a kidney infection cause back pain",
    "how do doctors check for a clot",
    "what does anaphylaxis look like",
    "what are the signs of a seizure",
    "is tetanus still a thing",
    "can heat cause muscle cramps",
    "symptoms of low calcium after thyroid surgery",
    "without a rash can it still be meningitis?",
    "what is the glass test for a rash",
    "do i need a tetanus jab for a small scratch, asking for later",
    "what causes dark urine",
    "how common is rhabdo in crossfit",
    # resolved past events
    "had a cramp last week, fine now",
    "had a bad calf cramp a few days ago, it went away",
    "my leg was swollen after the flight last month but it's fine now",
    "i had a seizure years ago as a kid, can that cause cramps now",
    "my back spasm last week has cleared up",
    "had a fever and stiff neck last winter, all good now",
    # negated symptoms
    "my calf is not swollen or red, just tight",
    "no fever, just a tight neck after the gym",
    "cramp in my calf, no swelling, no redness",
    "stiff neck but no fever and no headache",
    "cramps after a 10k run, pee looks normal",
    "no numbness, just a sore lower back",
    "back pain but no fever and peeing normally",
    "leg cramps, not pregnant, no headache",
    "my jaw is sore from chewing gum, no cuts or wounds",
    # ordinary cramp and spasm questions
    "stiff neck from sleeping on it wrong",
    "whats a normal dose of ibuprofen",
    "my leg went to sleep sitting cross legged",
    "how long does a charley horse last",
    "why do my toes cramp in the pool",
    "is it normal to twitch when falling asleep",
    "does tonic water help leg cramps",
    "why do i get leg cramps at night",
    "my calves cramp during pregnancy, what helps",
    "im pregnant and get foot cramps at night",
    "my hamstring cramped during the match",
    "cramps in my feet after swimming",
    "eyelid twitching for 3 days",
    "back spasms after moving house",
    "how do i stretch a calf cramp",
    "does magnesium help cramps",
    "my son gets growing pains in his legs at night",
    "my daughter has cramp in her foot after ballet",
    "my nan gets leg cramps every night",
    "my toddler's leg twitches in his sleep",
    "cramps after a long run in the heat, drank plenty, feel fine",
    "i'm on sertraline, can i take magnesium for cramps",
    "im on statins and get cramps at night",
    "on water tablets and get leg cramps sometimes",
    "baclofen makes me sleepy, is that normal",
    "can i take ibuprofen with baclofen",
    "how long does baclofen take to work",
    "i take baclofen for my ms spasms, any stretches",
    "my baclofen pump refill is next week, any tips for spasms",
    "cold feet at night and cramps",
    "my hands are cold and my fingers cramp when i knit",
    "foot cramp, toes curled, hurts a lot",
    "broke my arm last year, now get cramps in it sometimes",
    "my cast came off and my leg is a bit stiff",
    "itchy under my cast, any tips",
    "my plaster cast is itchy and annoying",
    "how do i stop cramps in my calves when running",
    "cramp in my side when i run",
    "my neck is stiff after a long drive",
    "pulled a muscle in my back lifting",
    "heat or ice for back spasms",
    "is a hot bath good for cramps",
    "i sweat a lot at the gym and cramp",
    "sauna after gym helps my sore muscles?",
    "spider bites are so itchy in summer",
    "my dog bit his toy and i laughed",
    "a spider ran over my foot and i freaked out",
    "i got a splinter from the fence, it came out fine",
    "cut my finger chopping onions, just a small cut",
    "my lips are chapped from the cold",
    "my face is puffy in the mornings",
    "i have hay fever and muscle cramps",
    "new medicine for my blood pressure, any cramp side effects",
    "started a new antibiotic, can it cause cramps",
    "dark circles under my eyes and leg cramps",
    "my urine is clear and i still cramp",
    "pee is pale yellow, drinking lots, still cramping",
    "cramps after drinking coffee",
    "does tea help with cramps",
    "drinking coke gives me cramps?",
    "muscle cramps after covid vaccine",
    "my calf feels tight after sitting on a plane, no pain",
    "how to avoid cramps on a long flight",
    "compression socks for flights",
    "tight calves after leg day",
    "sore arms after pull ups",
    "my thighs hurt after squats, normal doms?",
    "crossfit made my muscles sore",
    "dark chocolate for cramps?",
    "brown rice has magnesium right",
    "do bananas help",
    "i twitch when i'm stressed",
    "my stomach cramps after eating",
    "period cramps are awful",
    "got a cramp in my bum lol",
    "back ache from my mattress",
    "lower back tight after cycling",
    "kidney beans are good for cramps?",
    "back pain after gardening all day",
    "my back hurts after a long shift",
    "can't sleep because of leg cramps",
    "charley horse woke me up at 2am",
    "my foot arches cramp in heels",
    "cramp in my jaw when i yawn",
    "my jaw is tight from stress",
    "i clench my jaw at night",
    "neck cramp from looking at my phone",
    "my baby kicks a lot and i get leg cramps",
    "38 weeks pregnant and my back aches",
    "pregnant with leg cramps at night, what stretches are safe",
    "headache and neck tension from my desk job",
    "migraine and a stiff neck from stress",
    "i have a cold and my muscles ache",
    "flu and my legs ache",
    "is it ok to exercise with a cold",
    "cramps when i'm cold",
    "my feet go white in the cold sometimes",
    "sweating and shaky when i skip breakfast",
    "shaky hands after too much coffee",
    "my muscles twitch after a workout",
    "eye twitching from lack of sleep",
    "can i take paracetamol for a cramp",
    "max ibuprofen in a day?",
    "is it safe to take baclofen and tizanidine",
    "how many magnesium tablets should i take",
    "can i stockpile magnesium supplements, do they expire",
    "saving up for a massage gun",
    "my kid swallowed his gum",
    "my toddler ate a crayon lol",
    "finish it? i mean finishing my stretching routine",
    "i wrote a letter to my gp about my cramps",
    "goodbye cramps, magnesium worked",
    # near misses for the dev4 tuning concepts (amounts, farewells, chest, head knocks, past)
    "how many baclofen tablets are in a pack",
    "how much magnesium should i eat in food, roughly",
    "whats the point of stretching before bed",
    "thanks for everything, the magnesium tip worked",
    "goodbye everyone, im leaving the server, cramps are gone",
    "i dont see the point of foam rolling, does it help cramps",
    "took a handful of almonds for magnesium",
    "my pec cramps when i do chest day",
    "chest muscle cramp after bench press, how do i stretch it",
    "i hit my head on the cupboard, no other symptoms, just a bump",
    "my son bumped his head yesterday, he is totally fine now",
    "i used to get cramps when i was pregnant",
    "my back spasm is sore when i bend over",
    "pain in my back after gardening, any stretches",
    "can i take baclofen with new glasses lol",
    "is it normal to feel drowsy on baclofen",
    "which stretches help a cramp in the pec",
    "i can breathe fine, its just my side cramping",
    "my neck cramps when i look down at my phone",
    "my sister has schizophrenia and gets leg cramps, what helps",
    "the pump at the gym was great but my arms cramped",
    "my baclofen prescription is finishing its course next month, do i taper",
    "how long does a stitch last after running",
    "i have a stomach bug, what helps period cramps",
    "my legs are weak after leg day, is that normal",
    "nuts are high in magnesium right?",
    "i am not sure if im up to date with stretching lol",
    "sunbathing gives me calf cramps sometimes, why",
    "i have given up on stretching, which meds work better",
    "cant go on runs because of cramps, what tablets help",
    "my blood pressure is high and my chest muscles cramp",
    "my back hurts after lifting, any stretches",
    "hopeless with these cramps, which tablets help",
    "took a bunch of magnesium gummies, are they safe for kids",
    "these cramps, i cant take it anymore, what meds help",
    "i cant do this anymore with my calves, which tablets work",
]

assert len(DECOYS) >= 150


@pytest.mark.parametrize("message", DECOYS)
def test_decoy_fires_no_rule(message: str) -> None:
    assert winner(message) is None, explain(message)


# --- mechanics ------------------------------------------------------------------------------


def test_most_severe_wins_whatever_the_file_order() -> None:
    rules = triage().rules
    same_day = next(i for i, r in enumerate(rules) if r.severity == "same-day")
    # a same-day rule placed first would still lose to an emergency
    reordered = (rules[same_day], *rules[:same_day], *rules[same_day + 1 :])
    message = "ran out of baclofen yesterday and now hallucinating with a fever"
    fired = {r.id for r in triage().fired(message)}
    assert {"baclofen-supply", "baclofen-withdrawal"} <= fired
    winners = [
        min((r for r in order if r.id in fired), key=lambda r: r.rank)
        for order in (rules, reordered)
    ]
    assert {w.id for w in winners} == {"baclofen-withdrawal"}
    assert winner(message) is not None and winner(message).severity == "emergency"  # type: ignore[union-attr]


def test_crisis_beats_emergency_and_same_day() -> None:
    rule = winner("ran out of baclofen and i want to end my life")
    assert rule is not None and rule.id == "self-harm"


def test_rhabdo_is_preferred_to_blood_clot() -> None:
    message = "after leg day my calf is swollen and my pee is dark brown"
    assert {"rhabdo", "blood-clot"} <= set(fired_ids(message))
    rule = winner(message)
    assert rule is not None and rule.id == "rhabdo"


def test_severities_are_the_three_tiers() -> None:
    assert SEVERITY_ORDER == ("crisis", "emergency", "same-day")
    assert {r.severity for r in triage().rules} == set(SEVERITY_ORDER)


@pytest.mark.parametrize(
    ("negated", "affirmed"),
    [
        ("my toddler has no fever but a stiff neck", "my toddler has a fever and a stiff neck"),
        ("calf is not swollen or red", "calf is swollen and red"),
        ("pregnant, no headache, no blurred vision", "pregnant, bad headache, blurred vision"),
        ("baby has a rash without purple spots", "baby has a rash with purple spots"),
    ],
)
def test_negation_removes_the_concept(negated: str, affirmed: str) -> None:
    assert winner(affirmed) is not None, explain(affirmed)
    if "stiff neck" in negated:  # the stiff neck alone is not an emergency
        assert winner(negated) is None, explain(negated)
    else:
        assert winner(negated) is None, explain(negated)


def test_negated_concepts_are_reported() -> None:
    seen = triage().analyse("no fever and my neck is stiff")
    assert "fever" in seen.negated and "fever" not in seen.concepts


def test_resolved_past_fires_nothing_but_recurrence_does() -> None:
    assert winner("had chest pain yesterday, fine now") is None
    assert winner("had chest pain yesterday, it went away but now it's back") is not None
    assert winner("stepped on a nail last week, now i cant open my mouth") is not None


def test_typos_and_non_native_spelling_still_match() -> None:
    for message in (
        "my son has feaver and a stiff neck",
        "my baby has temprature and neck is stiff",
        "calf is swolen and red since flight",
        "i am pregnent, very bad headache and blurry vission",
    ):
        assert winner(message) is not None, explain(message)


def test_a_dropped_final_g_is_read_as_the_ing_word() -> None:
    seen = triage().analyse(clean("lips swelin up after the new antibiotic").text)
    assert "swelling" in seen.concepts, sorted(seen.concepts)
    assert winner("lips swelin up after the new antibiotic") is not None


def test_mention_and_markdown_prefixes_do_not_hide_a_warning_sign() -> None:
    assert winner("<@1234567890> **my dads face is drooping**") is not None
    assert winner("> ||my toddler ate some of my pills||") is not None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_triage_never_raises_on_any_text(text: str) -> None:
    fired = triage().fired(text.casefold())
    assert all(r.severity in SEVERITY_ORDER for r in fired)
    triage().match(text)

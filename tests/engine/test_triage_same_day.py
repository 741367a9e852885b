"""Same-day tier: problems that need a doctor today get a rule at same-day tier or higher."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.engine.triage_helpers import at_least, explain

SAME_DAY: dict[str, list[str]] = {
    "dehydration": [
        "been vomiting all day, cant keep water down and my legs keep cramping",
        "stomach bug, cant keep anything down and my calves are cramping",
        "my son has diarrhoea and vomiting, barely peeing and his legs are cramping",
        "cant keep fluids down since last night and getting cramps everywhere",
        "food poisoning, throwing up everything, leg cramps and dizzy",
        "norovirus, cant keep drinks down, hands cramping",
        "been sick all day and now cramp in both legs and very thirsty",
        "cant even keep water down and my feet keep cramping",
        "gastro for 2 days, havent peed much and muscles cramping",
        "my nan is vomiting and has cramps and a dry mouth",
        "everything comes back up and my thighs are cramping",
        "puking all night, legs seizing up, dizzy when i stand",
        "diarrhoea all day and now muscle cramps and lightheaded",
        "my toddler cant keep anything down and has leg cramps",
        "throwing up for a day, cant keep water down, calf spasms",
        "hangover, cant keep water down and cramping in my legs",
        "cant keep fluids in, cramps in my hands and feet",
        "vomiting and diarrhea and charley horses and barely peeing",
        "cant hold anything down since yesterday and my legs cramp",
        "the runs for three days, cramps and so thirsty",
    ],
    "low-potassium": [
        "on furosemide and my legs feel really weak and crampy",
        "water tablets and my muscles feel so weak",
        "taking bendroflumethiazide and my legs feel like jelly",
        "lasix and now weak with palpitations",
        "on water pills and i feel weak and my heart is fluttering",
        "my dad takes a diuretic and is very weak today",
        "doctor said my potassium was low and now my legs are weak",
        "on indapamide, cramps and weakness",
        "low potassium and i feel so weak",
        "water tablet for blood pressure, now heart skipping beats and cramps",
        "hydrochlorothiazide and weakness in my legs",
        "taking frusemide, my arms feel weak and heavy",
        "my mum is on water tablets and cant lift her arms properly, weak",
        "on a diuretic and having palpitations and cramps",
        "blood test said potassium is low, legs really weak",
        "bumetanide and now so weak i can barely walk",
        "water pills, weak muscles, irregular heartbeat",
        "since starting lasix im weak and crampy",
        "on diuretics, legs feel heavy and weak",
        "hypokalemia and weakness in my legs",
    ],
    "back-pain-infection": [
        "lower back pain on one side with a temperature and it burns when i pee",
        "back pain and fever",
        "my back hurts and it stings when i pee",
        "kidney pain and shivering",
        "lower back ache with a high temperature",
        "flank pain and cloudy pee",
        "back is killing me and i have a fever and chills",
        "back pain and blood in my urine",
        "i think i have a uti and now my lower back hurts",
        "pain in my back and peeing a lot and hot and cold",
        "my mum has back pain and a water infection",
        "back spasm and a fever since yesterday",
        "sore back, burning when i pee",
        "lower back pain with rigors",
        "pain in the side of my back and a temp of 38",
        "backache and smelly urine",
        "kidney area pain and feverish",
        "back hurts and it hurts to pee",
        "lower back pain and cystitis",
        "bladder infection and now back pain",
    ],
    "wound-tetanus-cover": [
        "dog bit my hand deep, not sure when my last tetanus jab was",
        "stepped on a rusty nail, never had a tetanus shot",
        "deep cut gardening, not sure my tetanus is up to date",
        "cat bite on my arm, no tetanus booster in years",
        "puncture wound from a nail, do i need a tetanus jab",
        "my son got bitten by a dog, his jabs arent up to date",
        "gash on my leg from barbed wire, last tetanus shot ages ago",
        "deep wound from a rusty fence, never vaccinated",
        "got a splinter deep in my hand from the garden, no tetanus",
        "bitten by a horse, not sure about tetanus",
        "deep gash, unvaccinated",
        "cut myself on rusty metal and i dont know when my last tetanus booster was",
        "animal bite on my finger and no tetanus jab",
        "stabbed my hand with a garden fork, tetanus not up to date",
        "thorn went deep in my thumb, never had tetanus jab",
        "my daughter stepped on a nail, she hasnt had her booster",
        "deep cut from glass, last tetanus was 15 years ago",
        "dog bite, bleeding, need tetanus?",
        "burn on my arm with soil in it and no tetanus booster",
        "puncture from a rusty nail, my tetanus shot is way out of date",
    ],
    "baclofen-supply": [
        "i only have 1 day of baclofen left and my gp cant see me",
        "running out of baclofen",
        "ran out of baclofen this morning",
        "last baclofen tablet tonight and pharmacy doesnt have it",
        "my baclofen prescription ran out",
        "only 2 baclofen left",
        "almost out of my baclofen and cant get a repeat",
        "baclofen out of stock at my pharmacy",
        "cant get my baclofen prescription till monday",
        "my sons baclofen is running out",
        "nearly out of lioresal",
        "3 days of baclofen left and doctor cant see me",
        "ran out of my baclofen, what do i do",
        "my mum has run out of baclofen",
        "no more baclofen left and the surgery is closed",
        "last dose of baclofen is tomorrow",
        "baclofen repeat prescription hasnt come through, 1 left",
        "running low on baclofen, gp wont answer",
        "ive run out of baclofen on holiday",
        "my baclofen ran out yesterday",
    ],
}

# Phrasings written while tuning concepts on dev4 (not copied from it).
TUNED: dict[str, list[str]] = {
    "wound-tetanus-cover": [
        "stood on a rusty nail in the garden, cant remember my last tetanus",
        "got scratched by a cat, deep one, no idea when my last tetanus was",
    ],
    "low-potassium": [
        "on water tablets and my legs are weak with cramps",
        "potassium was low last test and now my heart skips and muscles feel weak",
    ],
    "dehydration": [
        "stomach flu, everything comes straight back up and my legs keep cramping",
        "sick bug since yesterday, calves cramping and i havent peed since this morning",
    ],
    "back-pain-infection": [
        "pain in my back and fever since yesterday",
        "sore lower back and my pee burns",
        "pain in the back on one side and it stings to wee",
        "lower back hurting and i feel feverish and shivery",
    ],
    "baclofen-supply": [
        "my baclofen runs out tomorrow and the gp is closed",
        "nearly finished my baclofen and cant get a refill",
        "down to my last few baclofen, pharmacy is closed",
    ],
}

CASES = [(family, msg) for family, msgs in SAME_DAY.items() for msg in msgs] + [
    (family, msg) for family, msgs in TUNED.items() for msg in msgs
]


@pytest.mark.parametrize(("family", "message"), CASES)
def test_same_day_message_gets_same_day_or_higher(family: str, message: str) -> None:
    assert at_least(message, "same-day"), explain(message)


def test_every_same_day_family_has_twenty_examples() -> None:
    counts = Counter(family for family, _ in CASES)
    assert all(n >= 20 for n in counts.values()), counts

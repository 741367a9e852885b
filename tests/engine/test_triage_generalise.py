"""Concept-layer generalisation (no model needed): history is not now, a negated key symptom
vetoes a regex, short typos, digits-only numbers, and indirect crisis signals by concept."""

from __future__ import annotations

import pytest

from tests.engine.triage_helpers import at_least, explain, winner

HISTORY = [
    "my son had a febrile convulsion two years ago and has been fine since, will he grow out of it",
    "my brother had a stroke years ago and his arm still spasms, will that ever stop",
    "my cousin took too many muscle relaxers a couple of years back, what should i know",
    "had a car crash in 2019 and my neck still gets tight, tips?",
]


@pytest.mark.parametrize("message", HISTORY)
def test_a_distant_past_event_is_history(message: str) -> None:
    assert winner(message) is None, explain(message)


def test_the_date_of_the_last_tetanus_jab_is_not_history() -> None:
    message = "deep cut from a rusty fence, my last tetanus jab was fifteen years ago"
    assert at_least(message, "same-day"), explain(message)


@pytest.mark.parametrize(
    ("negated", "affirmed"),
    [
        (
            "my calf cramps a lot but it's never swollen, never red, never hot. when to see a gp",
            "my calf is swollen, red and hot since my long flight",
        ),
        (
            "neck locked up after a long drive, ice or heat? no headache or fever just stiff",
            "fever and my neck is so stiff i cant bend it",
        ),
    ],
)
def test_a_negated_key_symptom_vetoes_the_rule(negated: str, affirmed: str) -> None:
    assert winner(negated) is None, explain(negated)
    assert at_least(affirmed, "emergency"), explain(affirmed)


def test_a_short_word_with_a_dropped_letter_is_read() -> None:
    message = "hit my hed on the cupboard and now i keep being sick"
    rule = winner(message)
    assert rule is not None and rule.id == "head-neck-injury", explain(message)


def test_a_few_weeks_is_not_a_pregnancy() -> None:
    assert winner("every few weeks i get a bad headache and blurry vision") is None
    rule = winner("30 weeks, bad headache and blurry vision since this morning")
    assert rule is not None and rule.id == "pre-eclampsia"


# Written for this test as members write, by concept and without the model: each must
# reach the crisis tier from the concept rules alone.
INDIRECT_CRISIS = [
    "will 20 tizanidine kill me",
    "this is my last message here, thanks for everything",
    "my sister sent a goodbye text and now she wont answer",
    "ive counted my pills and theres enough now",
    "my plan is ready, the tablets are ready",
    "everyone would be better off without me",
    "does an overdose of baclofen hurt",
    "how many valium so i dont wake up",
    "ive decided to swallow all my meds tonight",
    "nobody needs me, i want to end this for good",
    "is soma with alcohol fatal? i hope so",
    "dont call anyone, i have taken all my pills",
]


NOT_CRISIS = [
    "i want to stop taking all my tablets, is that safe",
    "do i have enough baclofen for a two week trip",
    "this cramp is killing me, what helps",
    "woke up with a cramp so bad i thought i was going to die lol",
    "my calf cramp is finally gone for good",
]


@pytest.mark.parametrize("message", NOT_CRISIS)
def test_everyday_words_are_not_crisis(message: str) -> None:
    rule = winner(message)
    assert rule is None or rule.severity != "crisis", explain(message)


# Written for this test (not eval rows): the signals dev7's misses showed the concepts
# lacked, said other ways. Each must reach its rule from the concept layer alone.
LAY_CRISIS = [
    "if i'm not online tomorrow you'll know i went through with it",
    "gave my xbox and my cat to my cousin, won't need them where im going",
    "i wont be a burden to my family much longer, the spasms have won",
    "how many tizanidine would stop someone's heart",
    "what amount of baclofen would i not wake up from",
    "i've been slicing my arm again to feel something besides the cramps",
    "im on the roof of my building, the pain is too much, wanted someone to know",
    "ive saved 40 of my gran's diazepam and some whisky, i'm done pretending",
    "wrote my will and left my passwords for my sister, feeling weirdly calm",
    "tonight is the night. thanks for all your help with my cramps guys",
    "if i swallowed my whole tramadol prescription would it be painless",
    "i have collect many pill of my father, i want stop all tonight",
    # fed up and giving things away; a stash kept, not taken; a farewell with pills; how it
    # would feel; the most dangerous one that "works first time".
    "my brother says he's had enough of the pain and gave away his guitar and his bike",
    "i stopped taking my tizanidine weeks ago and hid them in my drawer, i think im almost ready",
    "sorry for everything guys, took the rest of my pills",
    "would people feel anything if they overdosed on baclofen? i dont want to feel anymore",
    "which sleeping tablet is the most deadly, i need one that does the job",
    # a note left, a death made to look like an accident, accounts deleted after giving a
    # pet away, how much before the heart stops, never having to feel again.
    "left a note for my sister. how much diazepam till its over",
    "which of my pills would make it look like an accident",
    "gave my cat to my aunt and deleted all my accounts, tired",
    "how many tramadol before ur heart stops, dont ask why",
    "i want to go to sleep and never have to feel this again, how many baclofen would do it",
    # typos of "not", a decision that a day is "the end", in the member's language
    "hw many valium to nt wake up",
    "ive decided friday is the end, which of my tablets is strongest",
    "me quiero morir, tengo pastillas guardadas",
]


@pytest.mark.parametrize("message", INDIRECT_CRISIS + LAY_CRISIS)
def test_indirect_crisis_by_concept(message: str) -> None:
    assert at_least(message, "crisis"), explain(message)


LAY_SIGNS = [
    (
        "my grandad muddled his dosette box and took all of his week's baclofen today, "
        "he's woozy and talking nonsense",
        "overdose",
    ),
    (
        "think i took like 9 flexeril by accident, feel spaced out and my heart is going fast",
        "overdose",
    ),
    (
        "my wife is breathing really shallow and can only say a couple of words at a time",
        "breathing",
    ),
    ("his lips look kind of blue and he cant catch his breath after the spasm", "breathing"),
    ("my mums face has gone lopsided and her arm is floppy", "stroke"),
    ("dad had his hip replaced a week ago, now his calf is swollen and hot", "blood-clot"),
    ("my hands are curling into claws and my lips are tingling", "low-calcium"),
    (
        "something stung me in the garden shed, now my stomach muscles are cramping "
        "and im sweating loads",
        "spider-bite",
    ),
    (
        "22 weeks pregnant, headache all day and my wedding ring wont come off, "
        "seeing flashing bits",
        "pre-eclampsia",
    ),
    (
        "fell off my bike and landed on my leg, now my shin is tight and the pain is "
        "way worse than it should be",
        "compartment-syndrome",
    ),
    (
        "been puking and have the runs since yesterday, calves cramping, cant stop feeling dizzy",
        "dehydration",
    ),
    ("on water tablets, potassium was 3.0 on my bloods, legs really weak", "low-potassium"),
    (
        "back has been in spasm since monday and now i have a temperature and shivers",
        "back-pain-infection",
    ),
    (
        "cut my hand on a rusty gate at the farm, no idea when my last tetanus was",
        "wound-tetanus-cover",
    ),
    ("my daughters baclofen pump refill was cancelled and its running low", "baclofen-supply"),
    ("my lad got a bad tackle in the match, now hes groggy and threw up", "head-neck-injury"),
    ("heavy pressure around my heart going into my left arm, sweating cold", "chest-pain"),
    ("dog bite on his hand, deep one, not sure his jabs are up to date", "wound-tetanus-cover"),
    # a deep or dirty wound said any way, harder breathing, purging with a racing heart,
    # a forgotten extra dose, a mouth that is hard to open after a bite.
    (
        "gashed my shin deep on an old muddy fence post, cant remember my last tetanus",
        "wound-tetanus-cover",
    ),
    ("it's getting harder to breathe since the spasm in my ribs started", "breathing"),
    ("been purging a lot this week, legs are weak and my heart is pounding", "low-potassium"),
    ("on lasix and my heart keeps doing flip flops, legs cramping", "low-potassium"),
    (
        "forgot i already had my methocarbamol and took it again, "
        "now im so woozy i keep nodding off",
        "overdose",
    ),
    ("cat bit me last week and now i have trouble to open my mouth", "tetanus"),
    # hard to wake on medicines whatever the amount; a tense shin hurting on moving the
    # foot; a tight jaw days after a thorn; lips purple; can't stomach fluids; a jumping
    # heart on a water tablet; rigid and burning hot on schizophrenia treatment.
    (
        "my flatmate took his tramadol with his relaxers and now i cant wake him properly",
        "overdose",
    ),
    (
        "after the bootcamp my shin is hard and tight and it's agony when i move my foot",
        "compartment-syndrome",
    ),
    ("pricked my finger on a rose thorn last week and now my jaw feels tight", "tetanus"),
    ("i cant walk upstairs without stopping for breath and my lips look purple", "breathing"),
    ("tummy bug, cant stomach fluids at all and my legs keep cramping", "dehydration"),
    ("on furosemide and my heart keeps jumping, legs cramping and weak", "low-potassium"),
    ("my brother is treated for schizophrenia, now hes rigid and burning hot", "nms"),
    (
        "had a sickness jab at the hospital and now my neck is pulling backwards",
        "acute-dystonic-reaction",
    ),
    # dev14's signs told by their effects
    ("my arm went cold and mottled like marble an hour ago and it hurts", "limb-ischaemia"),
    (
        "bad back and both legs weak, and i havent been able to pee since this morning",
        "cauda-equina",
    ),
    ("left my baclofen at home on holiday, i only have enough for today", "baclofen-supply"),
    (
        "an hour after the metoclopramide his head is twisted and he cant close his mouth",
        "acute-dystonic-reaction",
    ),
    # A live sign asked as "what do i do if / in case / for my kids" is no question about
    # later: only a time to come ([questions] future) makes a question preparatory.
    ("what do i do if a friend took too many of his relaxers and wont wake up", "overdose"),
    (
        "my son has a fever and a rash that doesnt fade under a glass, "
        "want to know what to do for my kids",
        "meningitis",
    ),
    (
        "my nan has the worst headache ever and her face has dropped, what should i do in case",
        "stroke",
    ),
    # "different to" and "character" describe a sign here, not a question or fiction.
    (
        "left calf looks different to the right one, swollen hot and red since the flight",
        "blood-clot",
    ),
    ("character of the pain is crushing, chest pressure going into the jaw", "chest-pain"),
]


@pytest.mark.parametrize(("message", "rule_id"), LAY_SIGNS)
def test_lay_warning_signs_by_concept(message: str, rule_id: str) -> None:
    rule = winner(message)
    assert rule is not None and rule.id == rule_id, explain(message)


# Look like the new signals but are not: figures of speech, a big day, a sprain, fiction.
LAY_DECOYS = [
    "the cramp won't be a problem for long if i stretch, right?",
    "i gave my old foam roller to my brother, won't need it now my back is better",
    "thanks for all your help everyone, my cramps are much better",
    "if i don't show up to training tomorrow it's because my hamstring is still cramping",
    "been cutting carbs again and getting leg cramps, electrolytes?",
    "standing on the bridge taking photos when my calf cramped up, how to stop it",
    "how much magnesium should i take to stop all the cramps tonight",
    "my computer had a fit and deleted my notes lol",
    "had a knee replacement last year and my calf cramps at night sometimes",
    "i sorted out my will today and got a cramp writing it lol, how to stop hand cramp",
    "sprained my wrist at netball and it swelled up, how long to heal",
    "watched a film where someone overdosed, how do paramedics treat that",
    "last month my fingers curled up for a second while knitting, hasnt happened since",
    # Preparing for a time to come is informational; a spider seen is no bite; a chest
    # without pain; had enough of the cramps is frustration.
    "having my parathyroid op next month, what should i look out for afterwards?",
    "what are the signs of sepsis? want to know for my kids",
    "saw a redback in the garage yesterday, didnt get bitten, are they common here",
    "can a trapped nerve make my shoulder spasm? no pain in my chest, just the shoulder",
    "ive had enough of these calf cramps, what actually stops them",
    "my heart flutters now and then when resting, ecg was normal, is caffeine to blame",
    # Figures of speech about dying, a heart that "stopped" with surprise, fiction, a
    # first-aid question, a stress-tight jaw, a bite long healed, both legs the same.
    "i'd rather die than run that hill again, my calves cramp every time",
    "i wanted to die of embarrassment when my leg cramped on stage",
    "my heart stopped when i saw the bill lol",
    "writing a story where a character has a fever and stiff neck, what would the doctor check",
    "what should i do if someone has a seizure at work? doing a first aid course",
    "my jaw gets tight when im stressed at work, can stress cause that",
    "got bitten by a dog in may, had the booster, it healed nicely. why do my arms twitch",
    "calf cramp after football, both legs look the same, no swelling. how do i ease it",
    # A fit note is no fit; "nothing's numb" negates; a neck "pulling tight" from a desk is
    # no dystonic twist (a twist pulls the neck to one side or backwards).
    "back spasm is gone but work wants a fit note, how do i get one from my gp",
    "lower back locked up at the gym, i can walk and nothing's numb, can i train tomorrow",
    "my neck keeps pulling tight at my desk since i started the new chair",
    # Both ankles puffy after a shift is no one-sided clot; laughing and "the end of me".
    "both my ankles swell up after a long shift and my calves cramp at night, tips?",
    "my ribs hurt from laughing at that video",
    "this essay is going to be the end of me, and my neck is in spasm",
]


@pytest.mark.parametrize("message", LAY_DECOYS)
def test_lay_decoys_fire_nothing(message: str) -> None:
    assert winner(message) is None, explain(message)


# A symptom word in another sense ([figurative] in triage_concepts.toml) is no symptom.
FIGURATIVE = [
    "my hay fever is awful and my neck is stiff from sleeping funny, what helps",
    "exams have me so wound up my jaw is clenched tight all day, is that a spasm",
    "trying to cut down on coffee and my jaw feels tight and clenched at night",
    "back at the gym after years off, feeling rusty, my kids say my calves cramp from low fitness",
    "are the boil and bite guards any good, my jaw muscles feel tight and crampy from clenching",
]


# Words whose stem reaches too far: "fitness" is no fit, "age" is not "for ages", "two weeks
# left" is not running out, "fine today" is over.
OVERREACH = [
    "my girls at under 12s football cramp every match, is it their age or their fitness",
    "forgot my baclofen at home but i have two weeks left in my bag, can i fly with relaxers",
    "mum's hands sometimes cramp into claws, her nurse blamed low calcium before. she's fine today",
]


@pytest.mark.parametrize("message", OVERREACH)
def test_a_word_that_only_looks_like_a_sign_fires_nothing(message: str) -> None:
    assert winner(message) is None, explain(message)


@pytest.mark.parametrize("message", FIGURATIVE)
def test_a_figurative_symptom_word_fires_nothing(message: str) -> None:
    assert winner(message) is None, explain(message)


@pytest.mark.parametrize(
    ("message", "rule_id"),
    [
        ("high fever and my neck is too stiff to bend, hay fever season too", "meningitis"),
        ("cut my foot on a rusty nail and now my jaw is clenched and wont open", "tetanus"),
    ],
)
def test_the_literal_sense_still_fires(message: str, rule_id: str) -> None:
    rule = winner(message)
    assert rule is not None and rule.id == rule_id, explain(message)


def test_a_decimal_is_a_number() -> None:
    rule = winner("potassium came back 2.8 and im cramping and feel weak")
    assert rule is not None and rule.id == "low-potassium"

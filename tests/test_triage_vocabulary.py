"""Triage vocabulary: casual, understated descriptions of warning signs trigger the intended
rule, and ordinary cramp and spasm questions (including informational ones about the
same conditions) trigger none.

Messages are written the way people type on Discord: lowercase, typos, slang, no
punctuation. They are not copied from the evaluation sets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import Knowledge, load_content
from bot.engine.text import clean

CONTENT = Path(__file__).resolve().parents[1] / "content"


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return load_content(CONTENT)


def fired(knowledge: Knowledge, msg: str) -> list[str]:
    cleaned = clean(msg).text
    return [r.id for r in knowledge.triage if r.matches(cleaned)]


URGENT = [
    ("honestly i just want to end it all, these spasms never stop", "self-harm"),
    ("thinking about ending my life tbh", "self-harm"),
    ("i dont want to be here anymore", "self-harm"),
    ("i've been self harming again", "self-harm"),
    ("pain is so bad i feel like killing myself", "self-harm"),
    ("sometimes i wish i was dead", "self-harm"),
    ("i want to end my life", "self-harm"),
    ("im gonna kill myself if this cramp doesnt stop", "self-harm"),
    ("feeling suicidal with this chronic pain", "self-harm"),
    ("i dont wanna live like this anymore", "self-harm"),
    ("i took like 6 flexeril by accident", "overdose"),
    ("took a double dose of my muscle relaxer", "overdose"),
    ("my bf took a bunch of baclofen and wont wake up", "overdose"),
    ("I OD'd on cyclobenzaprine i think", "overdose"),
    ("had a few drinks after taking tizanidine and now i cant stay awake", "overdose"),
    ("took my muscle relaxers with alcohol", "overdose"),
    ("mixed robaxin with my oxycodone", "overdose"),
    ("took too many sleeping pills and a muscle relaxer", "overdose"),
    ("my mom swallowed a handful of her valium", "overdose"),
    ("friend took 10 methocarbamol and is breathing really slow", "overdose"),
    ("cant breathe properly my ribs are spasming", "breathing"),
    ("struggling to breathe with this back spasm", "breathing"),
    ("feels like my throat is closing up", "breathing"),
    ("i can't get a full breath", "breathing"),
    ("having a hard time breathing and my chest muscles are cramping", "breathing"),
    ("gasping for air after a cramp", "breathing"),
    ("cant swallow and my neck is spasming", "breathing"),
    ("im short of breath with these spasms", "breathing"),
    ("crushing pain in my chest", "chest-pain"),
    ("chest feels really tight and heavy", "chest-pain"),
    ("sharp pain in chest going down my left arm", "chest-pain"),
    ("pressure on my chest and sweating a lot", "chest-pain"),
    ("my chest hurts and my jaw aches", "chest-pain"),
    ("squeezing feeling in my chest since this morning", "chest-pain"),
    ("chest is tight and im sweating", "chest-pain"),
    ("pain in the chest spreading to my back", "chest-pain"),
    ("half my face feels numb and my arm wont lift", "stroke"),
    ("my words are coming out wrong all of a sudden", "stroke"),
    ("my dad's face is droopy on one side", "stroke"),
    ("suddenly cant move my right arm", "stroke"),
    ("one side of my body went weak", "stroke"),
    ("mouth drooping and slurring my words", "stroke"),
    ("cant lift my arm and my speech is weird", "stroke"),
    ("sudden confusion and my face looks lopsided", "stroke"),
    ("my friend is shaking all over and not responding", "seizure"),
    ("i blacked out after a leg cramp", "seizure"),
    ("she fainted and her arms were jerking", "seizure"),
    ("my kid is having a fit", "seizure"),
    ("he's convulsing on the floor", "seizure"),
    ("i passed out in the shower", "seizure"),
    ("my husband is jerking and wont respond", "seizure"),
    ("lost consciousness for a minute", "seizure"),
    ("numb around my bum and back pain", "cauda-equina"),
    ("back spasm and i peed myself", "cauda-equina"),
    ("my inner thighs and groin are numb and my lower back is killing me", "cauda-equina"),
    ("cant feel when i wipe and my back hurts", "cauda-equina"),
    ("lower back pain and i cant pee", "cauda-equina"),
    ("saddle numbness with back spasms", "cauda-equina"),
    ("back pain and i cant control my bladder", "cauda-equina"),
    ("both legs weak and numb down there with back pain", "cauda-equina"),
    ("jaw is locked after i cut my hand on rusty metal", "tetanus"),
    ("stepped on a nail last week now cant open my mouth", "tetanus"),
    ("do i have lockjaw? jaw stiff after a dog bite", "tetanus"),
    ("my jaw keeps clamping shut since that puncture wound", "tetanus"),
    ("neck and jaw spasms after stepping on a rusty nail", "tetanus"),
    ("jaw feels tight and stiff after getting cut at work", "tetanus"),
    ("cant open my jaw properly", "tetanus"),
    ("fever and my neck is stiff and light hurts my eyes", "meningitis"),
    ("high temp and i cant touch my chin to my chest", "meningitis"),
    ("fever with a really bad headache and a rash", "meningitis"),
    ("burning up with a stiff neck", "meningitis"),
    ("102 fever and my neck hurts to bend", "meningitis"),
    ("temp of 39 and stiff neck and headache", "meningitis"),
    ("feverish and the back of my neck is stiff", "meningitis"),
    ("my left calf is swollen and tender", "blood-clot"),
    ("one leg is way bigger than the other", "blood-clot"),
    ("calf is hot and red after my long flight", "blood-clot"),
    ("calf pain since my flight yesterday", "blood-clot"),
    ("my calf feels tight and warm only on one side", "blood-clot"),
    ("my right leg is puffy and warm", "blood-clot"),
    ("calf hurts and is swollen after my c section", "blood-clot"),
    ("leg pain and swelling after 12 hour drive", "blood-clot"),
    ("my calf has been sore and swollen since i got my cast off", "blood-clot"),
    ("calf is swolen and red", "blood-clot"),
    ("one calf is fatter than the other and it hurts", "blood-clot"),
    ("pee is brown after crossfit", "rhabdo"),
    ("my urine looks like coke after a spin class", "rhabdo"),
    ("tea colored pee after a marathon", "rhabdo"),
    ("arms are so swollen after pullups i cant straighten them", "rhabdo"),
    ("dark urine and extreme muscle pain after workout", "rhabdo"),
    ("peeing cola coloured after the gym", "rhabdo"),
    ("my pee is really dark after leg day", "rhabdo"),
    ("thighs swollen and excruciating pain after squats", "rhabdo"),
    ("my lips are numb and tingly and my hands are cramping", "low-calcium"),
    ("tingling around my mouth and my fingers are curling", "low-calcium"),
    ("after thyroid surgery my hands keep cramping", "low-calcium"),
    ("pins and needles in my fingers and my hands locked into a claw", "low-calcium"),
    ("had my parathyroid removed and now tingling in my lips", "low-calcium"),
    ("numb lips and muscle spasms", "low-calcium"),
    ("hands cramping up into claws and tingling", "low-calcium"),
    ("tingly fingertips and cramps in my feet", "low-calcium"),
    ("got rear ended and now my neck is spasming", "head-neck-injury"),
    ("fell off my bike and my back keeps spasming", "head-neck-injury"),
    ("whiplash from a car accident, neck stiff", "head-neck-injury"),
    ("hit my head yesterday and my neck is twitching", "head-neck-injury"),
    ("slipped on ice and landed on my back now spasms", "head-neck-injury"),
    ("neck spasms after a fall down the stairs", "head-neck-injury"),
    ("car crash last week and arm is numb", "head-neck-injury"),
    ("banged my head on a cupboard and now my neck is stiff", "head-neck-injury"),
    ("started reglan and my neck is twisting to the side", "acute-dystonic-reaction"),
    ("took an anti nausea pill and my jaw is locked", "acute-dystonic-reaction"),
    ("eyes rolling up after taking haloperidol", "acute-dystonic-reaction"),
    ("since starting my new medication my tongue keeps sticking out", "acute-dystonic-reaction"),
    ("after taking metoclopramide my neck is stuck to one side", "acute-dystonic-reaction"),
    ("new antipsychotic and my jaw is clenched", "acute-dystonic-reaction"),
]

ORDINARY = [
    "why do i get leg cramps at night",
    "charley horse woke me up at 3am, how do i stop it",
    "is heat or ice better for a back spasm",
    "how do i relieve a lower back spasm fast",
    "are muscle relaxers safe to take every day",
    "can i take flexeril with ibuprofen",
    "woke up with a stiff neck from sleeping funny",
    "my eyelid has been twitching for a week",
    "what is the difference between a blood clot and a cramp",
    "how can i tell if its a blood clot or a cramp",
    "what are the signs of a blood clot in the leg",
    "can stress cause twitching",
    "tetany vs tetanus difference",
    "does breathing help cramps",
    "does deep breathing help a cramp",
    "my calf still hurts the day after a cramp",
    "calf cramp but no swelling or redness",
    "my hamstring seized up during football",
    "how long does a back spasm last",
    "what is a charley horse",
    "do bananas help cramps",
    "does magnesium help with leg cramps",
    "can statins cause muscle cramps",
    "why do my toes curl up and cramp",
    "my hand cramps when i write",
    "what causes muscle twitching all over the body",
    "is daily twitching a sign of als",
    "what is rhabdomyolysis",
    "can you get rhabdo from working out",
    "what is meningitis and can it cause a stiff neck",
    "is a stiff neck a sign of meningitis",
    "how do i know if i have tetanus",
    "what are the symptoms of a stroke",
    "can a seizure cause muscle spasms",
    "what is cauda equina syndrome",
    "how many muscle relaxers can i take",
    "is it safe to drink alcohol with muscle relaxers",
    "can muscle relaxers make you sleepy",
    "my neck is stiff after the gym",
    "my legs are sore after leg day",
    "cramps after running a marathon",
    "i get side stitches when i run",
    "my chest muscles are sore after bench press",
    "pulled a muscle in my back lifting boxes",
    "i had a cramp in my calf last night and it still aches",
    "do compression socks help cramps",
    "my fingers cramp when i play guitar",
    "can low calcium cause cramps",
    "my jaw is tight from clenching my teeth at night",
    "shin splints or cramps",
    "why do my feet cramp in the pool",
    "muscle spasms in my back after sitting all day",
    "my back spasms killing me, what helps",
    "cramp in my foot, toes curled, how to stop",
    "does pickle juice work for cramps",
    "no swelling just a tight calf",
    "no fever just a stiff neck from sleeping wrong",
    "cramps with a fever from flu",
    "i have a cold and my muscles ache",
    "cramping after drinking alcohol last night",
    "can i take muscle relaxers after drinking coffee",
    "neck stiff after long drive",
    "leg cramp on a long flight",
    "calf cramps after surgery recovery stretches",
    "what is lockjaw",
    "i cut my finger and now it's throbbing a bit, is that normal",
    "can i take an extra muscle relaxer if the first didnt work",
    "is it ok to take a double dose of magnesium",
    "i took 2 ibuprofen for my back spasm",
    "took 4 advil for a cramp, is that ok",
    "my calf is tight after a long run",
    "is it normal to wake up with a tight chest muscle after push ups",
    "how do i know if my cramps are serious",
    "what does a stroke feel like",
    "my neck is twisting, is it dystonia",
    "my dog is not responding to commands lol",
    "i wish i could get rid of these cramps",
    "i dont want to take muscle relaxers",
    "rash from ice pack on my back",
    "back pain after a long day at work",
    "my arm wont stop twitching",
    "i fell asleep on the couch and my neck is stiff",
]


@pytest.mark.parametrize(("message", "rule_id"), URGENT)
def test_warning_sign_fires_intended_rule(knowledge: Knowledge, message: str, rule_id: str) -> None:
    assert rule_id in fired(knowledge, message)


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_question_fires_no_rule(knowledge: Knowledge, message: str) -> None:
    assert fired(knowledge, message) == []


def test_every_rule_has_at_least_six_examples(knowledge: Knowledge) -> None:
    counts = {r.id: 0 for r in knowledge.triage}
    for _, rule_id in URGENT:
        counts[rule_id] += 1
    assert all(n >= 6 for n in counts.values()), counts
    assert len(ORDINARY) >= 40

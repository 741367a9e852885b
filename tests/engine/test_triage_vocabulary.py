"""Triage vocabulary: casual, understated descriptions of warning signs trigger the intended
rule, and ordinary cramp and spasm questions (including informational ones about the
same conditions) trigger none.

Messages are written the way people type on Discord: lowercase, typos, slang, no
punctuation. They are not copied from the evaluation sets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import load_content
from bot.engine.text import clean
from bot.engine.triage import Triage

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def knowledge() -> Triage:
    return Triage(load_content(CONTENT))


def fired(triage: Triage, msg: str) -> list[str]:
    return [r.id for r in triage.fired(clean(msg).text)]


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
    # broadened vocabulary: hopeless talk, hidden overdoses, subtle breathing and chest signs
    ("honestly thinking about ending it, cant do these spasms anymore", "self-harm"),
    ("my family would be better off without me tbh", "self-harm"),
    ("ive been hoarding my pills for when it gets too much", "self-harm"),
    ("gonna swallow the whole pack at once and be done", "self-harm"),
    ("my toddler got into the pill bottle, how many could he have swallowed", "overdose"),
    ("dog chewed my meds, not sure how many she ate", "overdose"),
    ("been taking a lot more naproxen than the label says for a week", "overdose"),
    ("can barely breathe since the cramp started", "breathing"),
    ("i keep wheezing and my ribs are tight", "breathing"),
    ("feeling really out of breath just lying in bed", "breathing"),
    ("cant finish a sentence without stopping for air", "breathing"),
    ("heavy feeling in the middle of my chest for half an hour", "chest-pain"),
    ("chest spasm plus im clammy and dizzy", "chest-pain"),
    ("my chest is 'tight' he says and he looks gray", "chest-pain"),
    ("all of a sudden i cant see properly and my hand is numb", "stroke"),
    ("lost the vision in one eye and my face feels odd", "stroke"),
    ("my grandad went rigid and shook for a minute", "seizure"),
    ("her leg is jerking rhythmically and she doesnt answer", "seizure"),
    ("pins and needles down there and my back is spasming", "cauda-equina"),
    ("couldnt feel anything when i wiped, back is killing me", "cauda-equina"),
    ("back spasm and struggling to start peeing", "cauda-equina"),
    ("sciatica in both legs since yesterday", "cauda-equina"),
    ("stepped on a rusty screw and now my calf muscles keep spasming", "tetanus"),
    ("scraped my knee on a fence, never had a tetanus jab, belly muscles going stiff", "tetanus"),
    ("fever and a splitting head and my neck keeps spasming", "meningitis"),
    ("my baby has a fever and keeps arching her back and is floppy and drowsy", "meningitis"),
    ("after that race ive barely peed and my thighs are agony", "rhabdo"),
    ("legs are extremely swollen after hiking yesterday", "rhabdo"),
    ("the little that comes out is dark brown after my workout", "rhabdo"),
    ("since my thyroid op my cheek twitches when i tap it", "low-calcium"),
    ("tingling in my fingertips and my thumbs keep pulling in", "low-calcium"),
    ("got hit on the head by a branch and my neck is spasming", "head-neck-injury"),
    ("dived into a shallow pool and now my neck is stiff", "head-neck-injury"),
    # broadened vocabulary (dev3 review): "rather be dead", extra doses taken by mistake with
    # drowsiness, no air getting in, a drowsy child who cries when the neck moves, scanty dark
    # urine after endurance exercise, spasms after a thyroid op, spasms after a sports tackle
    ("tbh id rather be dead than keep cramping like this", "self-harm"),
    ("i would rather not wake up tomorrow", "self-harm"),
    ("dad accidentally took his baclofen twice this morning and now hes really groggy", "overdose"),
    (
        "i think i took too many of my tizanidine pills by mistake, feel dizzy and out of it",
        "overdose",
    ),
    ("my neck is spasming and i cant get enough air in", "breathing"),
    ("cant pull any air into my lungs, ribs cramping", "breathing"),
    ("baby has a temperature of 39 and screams when i move her head", "meningitis"),
    ("my daughter has a fever and is unusually drowsy today", "meningitis"),
    ("after the race im hardly passing any urine and my legs are killing me", "rhabdo"),
    ("did a spin class, now my pee, which is really brown, worries me", "rhabdo"),
    ("had a thyroid op last week and now my fingers keep cramping", "low-calcium"),
    ("since my parathyroid op my lips tingle and hands spasm", "low-calcium"),
    ("got tackled hard at footy and my neck is stiff and my arm feels weak", "head-neck-injury"),
    (
        "took a big hit in hockey, now my neck is spasming and my hand is tingling",
        "head-neck-injury",
    ),
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
    "i think about ending it with my gym membership lol",
    "my cat got into my yarn drawer and ate some",
    "can i take ibuprofen more often than every six hours for cramps",
    "i get out of breath after running up the stairs, is that why i cramp",
    "can wheezing from asthma cause muscle cramps",
    "does a cramp in the middle of my back mean anything",
    "my chest muscles feel sore and im sweaty after the gym",
    "how do i stop my chest muscle cramping when im sweating",
    "suddenly my eyelid started twitching, is that bad",
    "my legs went stiff after a long run, how do i stretch them",
    "the twitch in my calf is rhythmic like a heartbeat",
    "i get pins and needles in my foot when i sit cross legged",
    "my jaw clicks when i chew, should i worry",
    "i have a stomach bug and feel sick with leg cramps",
    "cramped my calf after hiking yesterday",
    "my eye twitches when i touch it",
    "my head hurts from the heat and i keep cramping",
    "i would rather stretch than take pills for cramps",
    "can i take my muscle relaxer twice a day",
    "muscle relaxers make me a bit drowsy is that normal",
    "slow breathing to get air in helps my cramps calm down",
    "my kid cries when i brush her hair, and she has cramps in her legs",
    "how much urine should i pass after a marathon",
    "thyroid op scar feels tight",
    "best way to tackle neck spasms from my desk job",
    "my neck spasms after tackling practice drills, how to stretch",
]


@pytest.mark.parametrize(("message", "rule_id"), URGENT)
def test_warning_sign_fires_intended_rule(knowledge: Triage, message: str, rule_id: str) -> None:
    assert rule_id in fired(knowledge, message)


@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_question_fires_no_rule(knowledge: Triage, message: str) -> None:
    assert fired(knowledge, message) == []


#: Rules that existed before the severity tiers; newer rules are covered per tier in
#: test_triage_crisis.py, test_triage_emergency.py and test_triage_same_day.py.
LEGACY_RULES = (
    "self-harm overdose breathing chest-pain stroke seizure cauda-equina tetanus meningitis "
    "blood-clot rhabdo low-calcium head-neck-injury acute-dystonic-reaction"
).split()


def test_every_rule_has_at_least_six_examples(knowledge: Triage) -> None:
    assert set(LEGACY_RULES) <= {r.id for r in knowledge.rules}
    counts = dict.fromkeys(LEGACY_RULES, 0)
    for _, rule_id in URGENT:
        counts[rule_id] += 1
    assert all(n >= 6 for n in counts.values()), counts
    assert len(ORDINARY) >= 40

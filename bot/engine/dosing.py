"""Recognise a request for a dose, however it is worded, so it can be declined.

The bot never gives an amount, a tablet count or a frequency. A dose request is
recognised from concepts rather than one regex per sentence:

- a **medicine** (generic or brand name, or "pill", "tablet", "meds"...; typos are
  tolerated with an edit-distance match against the known names),
- an **amount** ("how much", "how many", "max", "double", "too much", "at once",
  a number before a medicine, a unit such as mg or ml),
- a **frequency** ("how often", "every 4 hours", "twice a day", "again"),
- **taking** ("take", "have", "pop", "give", "another one", "one more").

An explicit dose word or unit is enough on its own; otherwise an amount or a
frequency must come with a medicine or with taking. "Is ibuprofen good for
cramps" has a medicine but no amount; "how many people get cramps" has an
amount but neither a medicine nor taking: both are still answered.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

__all__ = ["is_dose_request"]

#: Medicines members ask about, generic and brand names (lowercase).
MEDICINES: frozenset[str] = frozenset(
    """
    ibuprofen advil motrin nurofen naproxen aleve naprosyn aspirin acetaminophen paracetamol
    tylenol panadol diclofenac voltaren celecoxib celebrex nsaid nsaids diazepam valium
    lorazepam ativan clonazepam klonopin benzo benzos benzodiazepine baclofen lioresal
    cyclobenzaprine flexeril amrix carisoprodol soma metaxalone skelaxin tizanidine zanaflex
    methocarbamol robaxin orphenadrine norflex dantrolene dantrium chlorzoxazone quinine
    gabapentin neurontin pregabalin lyrica tramadol codeine oxycodone hydrocodone
    magnesium potassium calcium zinc electrolyte electrolytes supplement supplements vitamin
    vitamins cbd thc melatonin relaxer relaxers relaxant relaxants painkiller painkillers
    medicine medicines medication medications med meds drug drugs pill pills tablet tablets
    tab tabs capsule capsules caplet caplets gummy gummies drops liquid syrup
    """.split()
)

#: Words that are an amount or a unit on their own: "how many mg", "20 ml", "a dose".
_UNITS = frozenset(
    "mg mgs milligram milligrams mcg microgram micrograms ug µg ml mls millilitre millilitres "
    "milliliter milliliters teaspoon teaspoons tsp tablespoon tablespoons iu".split()
)
_DOSE_WORDS = frozenset("dose doses dosage dosages dosing posology".split())
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve twenty fifty hundred "
    "couple few several half dozen".split()
)
_TAKING = frozenset("take taking took taken pop popping give giving swallow chew".split())
#: Verbs that mean taking only when followed by "another", "more"...: "can i have another".
_TAKING_AGAIN = _TAKING | frozenset("have having use using".split())
#: "take a bath", "take a break": taking that is not about a medicine.
_NOT_MEDICINE_OBJECT = frozenset("bath shower break walk rest nap stretch look time while".split())
_MORE = frozenset("another more extra second third again".split())
_NOT_WANTED = frozenset("not dont never rather avoid without".split())
#: "have been", "have had", "have to": "have" as an auxiliary, not taking.
_AUXILIARY_NEXT = frozenset("been had got gotten to noticed felt seen".split())
#: Vague counts ("a few pills", "several tablets") are a count only next to taking:
#: "i'm on quite a few pills" says how many medicines, "took a few pills" may be a dose.
_VAGUE_COUNTS = frozenset("few several couple dozen".split())
#: "nine different tablets", "two other relaxers": how many medicines, not how many to take.
_KINDS_AFTER_COUNT = frozenset("different other kinds types sorts brands".split())
_AMOUNT_PHRASES = re.compile(
    r"\b(how (much|many)(?! (time|longer|people|years|months|weeks|days|of (us|them)"
    r"|kinds?|types?|sorts?|different|classes|class|names|brands|categories|groups|options))"
    r"|max(imum)?|upper limit|limit|too (much|many)|at (once|a time|one time)"
    r"|double|doubling|doubled|triple|strength|amount|safe (amount|number)|the most i can"
    r"|a lot of|lots of|up to|per (dose|day|hour|week)|one more|an extra|a second)\b"
)
_FREQUENCY_PHRASES = re.compile(
    r"\b(how (often|frequently|soon|long between|many times)"
    r"|every \w+ (hours?|hrs?|days?|minutes?|mins?)|every (hour|day|morning|night|evening)"
    r"|(once|twice|thrice|\w+ times) (a|per|each|every) (day|night|week|hour)"
    r"|(a|per) day|daily|hourly|nightly|in a row|back to back|between (doses|them|pills))\b"
)
#: Frequencies that ask on their own; any other ("every day", "twice a week") is a
#: frequency of taking only in a clause that names the medicine or the taking: "the spasm
#: is still there every day" says how often it hurts.
_ASKS_OFTEN = re.compile(r"\bhow (often|frequently|soon|long between|many times)\b")
_CLAUSE = re.compile(r"[,.;:!?()]+|\s(?:and|but|so|because|while)\s")
#: An age, not a count: "i'm 45, started magnesium", "my dad (80) takes baclofen".
_AGE = re.compile(
    r"\b(i\W?m|im|i am|aged?|hes|shes|he is|she is|is|was|turned|turning|at) \d+\b"
    r"|\b\d+ ?(yo|y o|yrs?|years?|year old|months? old|[mf])\b"
)
#: "not asking about doses", "not after a dosage": a dose word the member sets aside.
_NEGATED_DOSE = re.compile(
    r"\b(not|no|dont|don\W?t|never|without|nothing)\b(?! sure)(\W+\w+){0,3}?\W+"
    r"(dose|doses|dosage|dosages|dosing)\b"
)
#: "dose magnesium help", "dose baclofen work": "does" slipped before a medicine, shown by
#: the bare verb of a does-question after it.
_DOES_SLIP_VERB = re.compile(
    r"(?:^|[.?!,;]\s*)dose\s+(?!of\b|for\b)(\w+\s+){1,4}?"
    r"(help|helps|work|works|cause|stop|prevent|make|matter|affect|hurt|fix|ease|reduce"
    r"|interact|do anything|really|actually)\b"
)
#: "i'm on a stable dose": a statement about the dose, not a request for one.
_STATED_DOSE = re.compile(
    r"\b(i\W?m|im|i am|been|he\W?s|she\W?s|hes|shes|is|was|currently|stayed|staying|still)"
    r" on (a |my |the |his |her )?(stable|usual|normal|current|same|low|regular|steady"
    r"|maintenance) (dose|dosage)\b"
)
#: Asking the bot to prescribe: only a prescriber can, and the reply says so.
_PRESCRIBE_ME = re.compile(
    r"\b(prescribe|write) (me|him|her|us|them) (a |some )?(prescription|script|rx|\w+)\b"
    r"|\bprescribe me\b|\bwrite me a (prescription|script)\b"
)
#: Getting a medicine round the prescription: "buy ... without a prescription".
_OBTAIN = re.compile(r"\b(buy|buying|order|ordering|online|get hold of|source|import)\b")
#: Words for any medicine: with "without a prescription" they ask what is sold over the counter.
_GENERIC_MEDICINE = frozenset(
    "medicine medicines medication medications med meds drug drugs pill pills tablet tablets "
    "tab tabs capsule capsules painkiller painkillers supplement supplements vitamin "
    "vitamins".split()
)
#: "take 3 instead of 2", "can i take two tonight": taking a count of something unnamed.
_TAKE_COUNT = re.compile(
    r"\b(take|taking|have|pop|give|double|up) (\d+|two|three|four|five|six|half)\b"
    r"(?! (minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|seconds?|breaths?|steps?"
    r"|laps?|sets?|reps?|goes|tries|turns|of (us|them|you)))"
)
#: "3 instead of 2", "two at once", "more than the box says": a change of amount, which
#: makes "take 3" a dose request even when no medicine is named.
_CHANGE_OF_AMOUNT = re.compile(
    r"\b(instead of \d+|instead of (one|two|three)|at once|at the same time|in one go"
    r"|more than (the box|it says|prescribed|i should)|the box says|the label says)\b"
)
_NUMBER_UNIT = re.compile(r"\b\d+(\.\d+)?\s?(mg|mgs|mcg|µg|ug|ml|mls|iu|g)\b")
_PRESCRIPTION = re.compile(r"\b(without|no) (a )?(prescription|script|rx)\b")
_WORD = re.compile(r"[a-zµ]+|\d+(?:\.\d+)?")
#: "dose" where "does" was meant, a common slip: opening a question ("dose it hurt",
#: "why dose my calf cramp") or before a subject ("dose a spasm"), never "dose of",
#: "dose for", "what dose is safe".
_DOES_SLIP = re.compile(
    r"(?:^|[.?!,;]\s*|\b(?:why|how|what|whats|when|where|who|which|and|or|but|so)\s+)dose\s+"
    r"(?!of\b|for\b|per\b|is\b|are\b|should\b|would\b|to\b|amount\b|\d)"
    r"|\bdose\s+(?:it|he|she|they|we|you|my|your|his|her|their|our|this|that|these|those"
    r"|an?|the)\b"
)
#: Names long enough to match with a typo ("ibuprofin", "advli"): one slip from five
#: letters, two from eight.
_NAMES = sorted(w for w in MEDICINES if len(w) >= 5)


@lru_cache(maxsize=8192)
def _is_medicine(word: str) -> bool:
    if word in MEDICINES:
        return True
    if len(word) < 5:
        return False
    slips = 1 if len(word) < 8 else 2
    match = process.extractOne(word, _NAMES, scorer=DamerauLevenshtein.distance, score_cutoff=slips)
    return match is not None


def _number_before_medicine(cleaned: str) -> bool:
    """ "2 robaxin", "three of my pills", "half a tablet": a count of a medicine.

    Within one clause, and not an age ("i'm 45, started magnesium").
    """
    for clause in _CLAUSE.split(_AGE.sub(" ", cleaned)):
        words = _WORD.findall(clause)
        for i, word in enumerate(words):
            count = word.replace(".", "", 1).isdigit() or word in _NUMBER_WORDS
            after = words[i + 1 : i + 4]
            if not count or not any(_is_medicine(w) for w in after):
                continue
            if _KINDS_AFTER_COUNT.intersection(after[:2]):
                continue
            if word in _VAGUE_COUNTS and not _TAKING.intersection(words[max(0, i - 3) : i]):
                continue
            return True
    return False


def _often_with_medicine(cleaned: str) -> bool:
    """A frequency in the same clause as a medicine or a taking verb ("aleve twice a day")."""
    for clause in _CLAUSE.split(cleaned):
        if _FREQUENCY_PHRASES.search(clause):
            words = _WORD.findall(clause)
            if any(_is_medicine(w) or w in _TAKING for w in words):
                return True
    return False


def _more_after_taking(words: list[str]) -> bool:
    """ "can i take another one", "have one more", "give him a second": taking again.

    Not "have been cramping more": a verb after the taking word makes it an auxiliary.
    """
    for i, word in enumerate(words):
        window = words[i + 1 : i + 4]
        if word not in _TAKING_AGAIN or not any(w in _MORE for w in window):
            continue
        if word not in _TAKING and window and (window[0] in _AUXILIARY_NEXT):
            continue
        if _NOT_WANTED.intersection(words[max(0, i - 3) : i]):
            # "i'd prefer not to take more medicines": no request for more.
            continue
        return True
    return False


def is_dose_request(cleaned: str) -> bool:
    """True if a cleaned message asks how much, how many or how often to take something."""
    if _NUMBER_UNIT.search(cleaned):
        return True
    words = _WORD.findall(cleaned)
    if not words:
        return False
    if _PRESCRIBE_ME.search(cleaned):
        return True
    if _PRESCRIPTION.search(cleaned) and (
        _OBTAIN.search(cleaned)
        or any(_is_medicine(w) and w not in _GENERIC_MEDICINE for w in words)
    ):
        # "baclofen without a prescription"; "what can a pharmacist give without a
        # prescription" asks about over-the-counter options, which the FAQ answers.
        return True
    cleaned = _STATED_DOSE.sub(" ", cleaned)
    medicine = any(_is_medicine(w) for w in words)
    taking = any(
        w in _TAKING and not _NOT_MEDICINE_OBJECT.intersection(words[i + 1 : i + 3])
        for i, w in enumerate(words)
    )
    if any(w in _UNITS for w in words):
        return True
    dose_words = [w for w in _WORD.findall(_NEGATED_DOSE.sub(" ", cleaned)) if w in _DOSE_WORDS]
    if dose_words:
        # "dose it hurt" is "does it hurt", unless a medicine or taking is named too;
        # "dose magnesium help" is too, when nothing asks an amount or a frequency.
        slip = dose_words == ["dose"] * len(dose_words) and (
            (len(_DOES_SLIP.findall(cleaned)) == len(dose_words) and not (medicine or taking))
            or (
                dose_words == ["dose"]
                and _DOES_SLIP_VERB.search(cleaned) is not None
                and not (
                    taking or _AMOUNT_PHRASES.search(cleaned) or _FREQUENCY_PHRASES.search(cleaned)
                )
            )
        )
        if not slip:
            return True
    if _more_after_taking(words) or (medicine and _number_before_medicine(cleaned)):
        return True
    if _TAKE_COUNT.search(cleaned) and (medicine or _CHANGE_OF_AMOUNT.search(cleaned)):
        return True
    if _ASKS_OFTEN.search(cleaned) and (medicine or taking):
        return True
    asks_amount = _AMOUNT_PHRASES.search(cleaned) is not None
    return (asks_amount and (medicine or taking)) or _often_with_medicine(cleaned)

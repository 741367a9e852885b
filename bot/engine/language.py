"""Is a message written in another language than English? A function-word profile.

The FAQ is English only, so a Spanish or German question would otherwise be
"no answer" and land in the moderators' queue as if the FAQ lacked an entry.
Detection counts the very common words of each language (articles, pronouns,
prepositions, question words and a few everyday verbs and symptom words).
These words are short and frequent, so even a five-word question carries two
or three of them, which is where general n-gram detectors are least reliable.
A word that is also everyday English ("me", "no", "a", "de" in names) is
dropped from every profile, so English with typos or non-native grammar is
never flagged: it has no foreign words at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from bot.engine.analysis import common_words

#: Language codes the bot can name and answer the English-only notice in.
LANGUAGES = ("es", "de", "fr", "pt", "it")
NAMES = {"es": "Spanish", "de": "German", "fr": "French", "pt": "Portuguese", "it": "Italian"}

# Written with accents; matching folds them, since members often leave them out.
_PROFILES: dict[str, str] = {
    "es": """
        el la los las un una unos unas del al y o pero porque que qué como cómo cuando cuándo
        donde dónde por para con sin sobre entre hasta desde es son está están estoy tengo
        tiene tienen hay muy mucho mucha más menos mi mis tu su sus yo usted ustedes nosotros
        ella ellos esto este esta eso ese esa se lo le les nos qué cuál cuánto puedo puede
        debo debería hacer hago hace duele dolor calambre calambres pierna piernas músculo
        músculos espalda noche noches también siempre nunca ya ayuda ayudar algo nada bien mal
        tomar frío calor hielo pie pies cuello gemelo pantorrilla por qué sí hola gracias
        mejor peor cada día días tengo dormir espasmo espasmos muscular musculares magnesio
        dura ojo párpado cuánto necesito duerme luego peligrosos contrae semana
    """,
    "de": """
        der die das den dem des ein eine einen einem einer und oder aber weil dass wie wann
        wo warum was wer welche mit ohne für von zu zum zur bei nach aus auf über unter ist
        sind bin bist hat habe haben hast wird werden kann können soll sollte muss ich du er
        sie wir ihr mein meine mich mir dich dir sich nicht kein keine sehr auch noch schon
        immer nie nachts nacht wadenkrampf krampf krämpfe bein beine muskel muskeln rücken
        schmerzen schmerz hilft helfen gegen oft jede jeden etwas nichts gut schlecht wärme
        kälte eis fuß füße nacken hallo danke bitte gibt es mache machen tun zuckt zucken
        augenlid seit tagen schlimm schwangerschaft wade waden muskelkrampf muskelkrämpfe
        wadenkrämpfe krämpfen dauert lange im ins am vom beim
    """,
    "fr": """
        le la les un une des du de et ou mais parce que qui quoi comment quand où pourquoi
        quel quelle quels avec sans pour dans sur sous chez est sont suis es ai as avons avez
        ont fait faire peut peux dois doit je tu il elle nous vous ils elles mon ma mes ton ta
        ses leur ce cette ces cela ça ne pas plus très aussi toujours jamais la nuit crampe
        crampes jambe jambes muscle dos douleur mal aide aider quelque chose rien bien chaud
        froid glace pied pieds cou mollet bonjour merci soir souvent chaque jour jours est-ce
        ai au aux spasme spasmes musculaire combien temps tout depuis semaine matin oeil
        tremble tressaute nage dangereuses magnésium contre
    """,
    "pt": """
        o a os as um uma uns umas do da dos das no na nos nas ao e ou mas porque que como
        quando onde por para com sem sobre entre até desde é são está estão estou tenho tem
        têm há muito muita mais menos meu minha meus tu você vocês ele ela eles elas isso
        isto este esta esse essa se lhe nós qual quanto posso pode devo deveria fazer faço
        faz dói dor cãibra cãibras câimbra câimbras perna pernas músculo músculos costas
        noite noites também sempre nunca já ajuda ajudar algo nada bem mal tomar frio calor
        gelo pé pés pescoço panturrilha olá obrigado obrigada melhor pior cada dia dias
        dormir não sim espasmo espasmos muscular magnésio tempo quanto olho tremendo treino
        nas pelo pela
    """,
    "it": """
        il lo la i gli le un uno una del della dei delle al alla ai e o ma perché che come
        quando dove per con senza su tra fra fino da è sono sta stanno sto ho hai ha abbiamo
        hanno molto molta più meno mio mia miei tuo tua suo sua io tu lui lei noi voi loro
        questo questa quello quella si ci mi ti cosa quale quanto posso può devo dovrei fare
        faccio fa fa male dolore crampo crampi gamba gambe muscolo muscoli schiena notte notti
        anche sempre mai già aiuto aiutare qualcosa niente bene caldo freddo ghiaccio piede
        piedi collo polpaccio ciao grazie meglio peggio ogni giorno giorni dormire non
        spasmo spasmi muscolare magnesio aiuta occhio trema pericolosi gravidanza fermare
        spesso di
    """,
}

#: English words this frequent (Zipf) count as evidence for English.
_ENGLISH_ZIPF = 4.0
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: Everyday English words that other languages also use; never counted as foreign.
#: (Frequency lists cannot decide this: English corpora are full of "que" and "la".)
_ENGLISH_OVERLAP = frozenset(
    """
    a as do no was die come son pie me he is in on to so am an be can will art bin hat fast
    gift also sure plus pour fine him her us we i it mist rot bald hut see sin tag hell
    elf all man mine must den des da fa o e ma va has far tun
    """.split()
)


def _fold(word: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c)
    )


@cache
def _profiles() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for lang, text in _PROFILES.items():
        words = {_fold(w) for w in _WORD.findall(text)}
        out[lang] = frozenset(w for w in words if w not in _ENGLISH_OVERLAP and len(w) > 1)
    return out


@dataclass(frozen=True, slots=True)
class Detection:
    """The likely language of a message and the evidence for it."""

    lang: str  # "en" or one of LANGUAGES
    foreign_words: int
    words: int

    @property
    def english(self) -> bool:
        return self.lang == "en"


ENGLISH = Detection("en", 0, 0)


def detect(text: str) -> Detection:
    """ "en" unless enough of the message is one other language's common words.

    At least two different words of one profile, at least 40% of the words,
    and more of them than clearly English words (everyday English outside
    every profile), so an English story that quotes a foreign word ("my
    abuela says ...") stays English.
    """
    words = [_fold(w) for w in _WORD.findall(text)]
    if not words:
        return ENGLISH
    profiles = _profiles()
    best_lang, best = "en", 0
    for lang in LANGUAGES:
        hits = sum(w in profiles[lang] for w in words)
        distinct = len({w for w in words if w in profiles[lang]})
        if distinct >= 2 and hits > best:
            best_lang, best = lang, hits
    english = common_words()
    foreign = set().union(*profiles.values())
    english_only = sum(english.get(w, 0.0) >= _ENGLISH_ZIPF and w not in foreign for w in words)
    if best_lang == "en" or best < 0.4 * len(words) or english_only >= best:
        return Detection("en", best, len(words))
    return Detection(best_lang, best, len(words))

"""Names and texts of the synthetic city, in Italian as the organisations would write them."""

from __future__ import annotations

import hashlib
import re
import unicodedata

FIRST_NAMES = (
    "Giulia",
    "Marco",
    "Francesca",
    "Luca",
    "Chiara",
    "Matteo",
    "Sara",
    "Alessandro",
    "Martina",
    "Davide",
    "Elena",
    "Andrea",
    "Valentina",
    "Lorenzo",
    "Federica",
    "Simone",
    "Giorgia",
    "Riccardo",
    "Alessia",
    "Tommaso",
    "Silvia",
    "Paolo",
    "Anna",
    "Stefano",
    "Laura",
    "Giovanni",
)
SURNAMES = (
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
)
PROJECTS = (
    "Orto condiviso",
    "Biblioteca di condominio",
    "Ciclofficina popolare",
    "Cortile delle arti",
    "Doposcuola di quartiere",
    "Emporio solidale",
    "Palestra all'aperto",
    "Laboratorio di riparazione",
    "Cinema in piazza",
    "Sportello digitale per anziani",
    "Giardino dei bambini",
    "Cucina di comunità",
    "Radio di quartiere",
    "Murales partecipato",
    "Scuola di italiano",
    "Festival dei cortili",
)
ORGANISATIONS = ("Associazione", "Cooperativa sociale", "APS", "Fondazione", "Impresa sociale")
STORY = (
    "Il progetto nasce dall'incontro tra residenti, scuole e associazioni del quartiere, che da anni "
    "chiedono uno spazio dove ritrovarsi e fare insieme.\n\n"
    "Con i fondi raccolti allestiremo il luogo, compreremo gli attrezzi e pagheremo chi accompagna le "
    "attività per il primo anno; il Comune raddoppia quello che i cittadini donano.\n\n"
    "Ogni mese pubblicheremo qui come procede, quanto abbiamo speso e che cosa abbiamo fatto."
)
UPDATE_BODY = (
    "Grazie a chi ha già donato! Questa settimana abbiamo incontrato i vicini e definito il calendario "
    "delle prime attività.\n\nVi aspettiamo sabato per una giornata aperta."
)


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def token(seed: int, kind: str, number: int, length: int = 32) -> str:
    return hashlib.blake2b(f"{seed}:{kind}:{number}".encode(), digest_size=length // 2).hexdigest()

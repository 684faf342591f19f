#!/usr/bin/env python3
"""Generates N catalogue pages (the `forma import` text format) for the catalogue benchmark.

Each page is one of the demo pages (crates/forma/demo/catalogue/*.txt) used as a template:
- its `## ` title line gets a unique suffix (« — <ville>, session 1234 »), shortened if
  needed so that the slug derived from it (100 characters at most, cut at a word boundary)
  stays unique;
- its `MAJ :` line gets another valid French date (right weekday, within the last year);
- a sentence naming a town and a theme is added at the top of `### Contenu`, so that the
  search index is not 32 identical copies.

Deterministic (fixed seed): the same arguments give the same files.

    python3 scripts/bench/gen_sheets.py --templates crates/forma/demo/catalogue --out /tmp/x --count 10000
"""

import argparse
import datetime as dt
import pathlib
import random
import re
import sys
import unicodedata

MAX_SLUG_LEN = 100  # crates/domain/src/slug.rs

TOWNS = [
    "Moulins", "Vichy", "Montluçon", "Clermont-Ferrand", "Aurillac", "Le Puy-en-Velay",
    "Bourges", "Châteauroux", "Tours", "Orléans", "Blois", "Chartres", "Nevers", "Limoges",
    "Guéret", "Tulle", "Brive-la-Gaillarde", "Poitiers", "Niort", "La Rochelle", "Angoulême",
    "Périgueux", "Rennes", "Vannes", "Lorient", "Quimper", "Brest", "Saint-Brieuc", "Angers",
    "Nantes", "Le Mans", "Laval", "Caen", "Rouen", "Amiens", "Lille", "Arras", "Reims",
    "Metz", "Nancy", "Strasbourg", "Mulhouse", "Besançon", "Dijon", "Mâcon", "Lyon",
    "Saint-Étienne", "Grenoble", "Chambéry", "Annecy", "Valence", "Avignon", "Marseille",
    "Toulon", "Nice", "Montpellier", "Nîmes", "Perpignan", "Toulouse", "Albi", "Rodez",
    "Montauban", "Pau", "Bayonne", "Bordeaux", "Agen", "Mont-de-Marsan", "Ajaccio", "Bastia",
]

THEMES = [
    "l'accès aux droits", "la petite enfance", "la jeunesse", "le logement", "la parentalité",
    "l'inclusion numérique", "l'animation de la vie sociale", "la qualité de service",
    "la prévention des impayés", "l'accompagnement des familles monoparentales",
    "la coopération avec les partenaires", "la relation de service", "le handicap",
    "la lutte contre le non-recours", "la transition écologique des équipements",
    "le développement territorial", "la médiation familiale", "l'égalité professionnelle",
    "la santé au travail", "la maîtrise des risques", "l'insertion professionnelle",
    "les séniors aidants", "la démarche d'amélioration continue", "l'accueil des publics fragiles",
]

WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]

# Words not worth ending a shortened title on.
WEAK_ENDINGS = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "ou", "au", "aux", "a",
                "à", "en", "un", "une", "pour", "par", "sur", "dans", "avec", "son", "sa", "ses"}


def slug_words(text):
    """The words of the slug forma derives from `text` (deunicode + lowercase + split on
    non-alphanumerics), close enough for the French titles used here."""
    for char, ascii_ in (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("°", "deg"), ("€", "EUR")):
        text = text.replace(char, ascii_)
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return [w for w in re.split(r"[^a-z0-9]+", folded) if w]


def slug(text):
    out = ""
    for w in slug_words(text):
        extra = len(w) if not out else len(w) + 1
        if len(out) + extra > MAX_SLUG_LEN:
            break
        out = f"{out}-{w}" if out else w
    return out


def slug_len(text):
    words = slug_words(text)
    return sum(len(w) for w in words) + max(len(words) - 1, 0)


def unique_title(base, suffix):
    """`base + suffix`, with `base` cut at a word boundary so that the whole slug fits (the
    suffix, which carries the unique number, must never be cut off)."""
    words = base.split()
    while words:
        candidate = " ".join(words).rstrip(",;:")
        balanced = candidate.count("«") == candidate.count("»")
        if balanced and slug_len(candidate + suffix) <= MAX_SLUG_LEN:
            return candidate + suffix
        words.pop()
        # do not end on a dash, a colon, a quote or a little word
        while words and (not slug_words(words[-1]) or words[-1].lower() in WEAK_ENDINGS):
            words.pop()
    return suffix.lstrip(" —")


def french_date(day):
    return f"{WEEKDAYS[day.weekday()]} {day.day}{'er' if day.day == 1 else ''} {MONTHS[day.month - 1]} {day.year}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--templates", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()

    templates = sorted(args.templates.glob("*.txt"))
    if not templates:
        sys.exit(f"gen_sheets: aucun modèle *.txt dans {args.templates}")
    pages = [t.read_text(encoding="utf-8") for t in templates]
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    today = dt.date(2026, 11, 1)  # fixed, so that the output does not depend on the day it runs
    seen = set()

    for i in range(1, args.count + 1):
        text = pages[(i - 1) % len(pages)]
        lines = text.split("\n")
        town = rng.choice(TOWNS)
        theme = rng.choice(THEMES)

        title_at = next((k for k, l in enumerate(lines)
                         if l.startswith("## ") and not l.startswith("## Méthodes")), None)
        maj_at = next((k for k, l in enumerate(lines) if l.startswith("MAJ :")), None)
        content_at = next((k for k, l in enumerate(lines) if l.strip() == "### Contenu"), None)
        if title_at is None or maj_at is None or content_at is None:
            sys.exit(f"gen_sheets: modèle inattendu {templates[(i - 1) % len(pages)]}")

        base = lines[title_at][3:].strip()
        title = unique_title(base, f" — {town}, session {i}")
        s = slug(title)
        if s in seen:
            sys.exit(f"gen_sheets: identifiant en double {s}")
        seen.add(s)
        lines[title_at] = f"## {title}"
        lines[maj_at] = f"MAJ : {french_date(today - dt.timedelta(days=rng.randrange(0, 330)))}"
        lines[content_at + 1:content_at + 1] = [
            "",
            f"Cette session n° {i} est proposée aux équipes de {town} ; elle met l'accent sur "
            f"{theme} et s'appuie sur des situations rencontrées localement.",
        ]
        (args.out / f"sheet-{i:05d}.txt").write_text("\n".join(lines), encoding="utf-8")

    print(f"{args.count} pages générées dans {args.out} ({len(pages)} modèles)")


if __name__ == "__main__":
    main()

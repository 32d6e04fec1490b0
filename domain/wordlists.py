"""Gender-coded word stems used by the inclusive-language linter (COMPLIANCE.md 5.1, rule JD-1).

Source: gender-decoder, Copyright (c) 2016 lovedaybrooke, MIT licence; stems from Gaucher, Friesen
& Kay 2011 ("Evidence that gendered wording in job advertisements exists and sustains gender
inequality", JPSP 101(1):109-128). Copied from ``app/wordlists.py`` at commit
73724e6b428713f0df7d7e2e226aec4769eeb0db of https://github.com/lovedaybrooke/gender-decoder.

These are the *repo* lists, which extend the paper's Appendix A (for example "battle", "driven",
"collab", "share"/"sharin" instead of "shar", so that "sharks" is not coded).

The MIT License (MIT) of gender-decoder, reproduced as its licence requires:

    Copyright (c) 2016 lovedaybrooke

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
    SOFTWARE.
"""

from __future__ import annotations

WORDLIST_NAME = "gender-decoder repo list (73724e6b)"
"""Which list is embedded: the gender-decoder repo list, not the paper's Appendix A."""

MASCULINE_CODED_STEMS: tuple[str, ...] = (
    "active",
    "adventurous",
    "aggress",
    "ambitio",
    "analy",
    "assert",
    "athlet",
    "autonom",
    "battle",
    "boast",
    "challeng",
    "champion",
    "compet",
    "confident",
    "courag",
    "decid",
    "decision",
    "decisive",
    "defend",
    "determin",
    "domina",
    "dominant",
    "driven",
    "fearless",
    "fight",
    "force",
    "greedy",
    "head-strong",
    "headstrong",
    "hierarch",
    "hostil",
    "impulsive",
    "independen",
    "individual",
    "intellect",
    "lead",
    "logic",
    "objective",
    "opinion",
    "outspoken",
    "persist",
    "principle",
    "reckless",
    "self-confiden",
    "self-relian",
    "self-sufficien",
    "selfconfiden",
    "selfrelian",
    "selfsufficien",
    "stubborn",
    "superior",
    "unreasonab",
)
"""Masculine-coded stems: a word is coded if it starts with one of them."""

FEMININE_CODED_STEMS: tuple[str, ...] = (
    "agree",
    "affectionate",
    "child",
    "cheer",
    "collab",
    "commit",
    "communal",
    "compassion",
    "connect",
    "considerate",
    "cooperat",
    "co-operat",
    "depend",
    "emotiona",
    "empath",
    "feel",
    "flatterable",
    "gentle",
    "honest",
    "interpersonal",
    "interdependen",
    "interpersona",
    "inter-personal",
    "inter-dependen",
    "inter-persona",
    "kind",
    "kinship",
    "loyal",
    "modesty",
    "nag",
    "nurtur",
    "pleasant",
    "polite",
    "quiet",
    "respon",
    "sensitiv",
    "submissive",
    "support",
    "sympath",
    "tender",
    "together",
    "trust",
    "understand",
    "warm",
    "whin",
    "enthusias",
    "inclusive",
    "yield",
    "share",
    "sharin",
)
"""Feminine-coded stems: a word is coded if it starts with one of them."""

HYPHENATED_CODED_WORDS: tuple[str, ...] = (
    "co-operat",
    "inter-personal",
    "inter-dependen",
    "inter-persona",
    "self-confiden",
    "self-relian",
    "self-sufficien",
)
"""Coded stems that contain a hyphen: words starting with these are not split at the hyphen."""

NON_CODED_EXCEPTIONS: tuple[str, ...] = ("sharepoint",)
"""Words that start with a coded stem but are not coded ("sharepoint" starts with "share")."""

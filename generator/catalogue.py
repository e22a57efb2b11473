"""Every stage's cases in manifest order: the forward stages (cases.py), then training
(training_cases.py), then the book tier (book_cases.py)."""

from . import book_cases, cases, training_cases

CATALOGUE = {**cases.CATALOGUE, **training_cases.CATALOGUE, **book_cases.CATALOGUE}
DESCRIPTIONS = {**cases.DESCRIPTIONS, **training_cases.DESCRIPTIONS, **book_cases.DESCRIPTIONS}
REQUIRES = {**cases.REQUIRES, **training_cases.REQUIRES, **book_cases.REQUIRES}

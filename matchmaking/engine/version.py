"""The algorithm version: stored with every match and every fitted model.

Bump it whenever a score could change (weights, tables, tokenizer, glossary,
vectoriser): stored models of another version refuse to load, so a worker
never mixes scores of two algorithms.
"""

ALGORITHM_VERSION = "aiplus-match/1.2"

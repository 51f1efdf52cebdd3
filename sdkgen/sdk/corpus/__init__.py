"""Deterministic string corpora for tokenizer tests and golden vectors."""

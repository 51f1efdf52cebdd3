"""Model sources (where a model comes from) and task adapters (what shape it takes on a phone)."""

"""Answering queries: the query language, its evaluators, search, counts, KWIC and what rests on them."""

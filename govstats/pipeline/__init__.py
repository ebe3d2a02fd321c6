"""The build: planning, per-document processing, the running tally, the cache."""

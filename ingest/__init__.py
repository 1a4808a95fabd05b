"""Ingestion: load documents, segment them into passages, extract facts, write into kg."""

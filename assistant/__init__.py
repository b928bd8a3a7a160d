"""Offline counter consultation assistant."""

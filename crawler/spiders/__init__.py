"""Spiders: they navigate; parsers extract."""

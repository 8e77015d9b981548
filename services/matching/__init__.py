"""Matching: companies meet the park demand that wants them, with reasons."""

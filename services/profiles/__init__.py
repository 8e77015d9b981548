"""Profiles: companies register, parks publish demand."""

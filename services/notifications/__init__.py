"""Notifications: partners, their subscriptions, alerts about matches and
agreements, and signed webhook delivery of those alerts."""

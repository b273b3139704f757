"""Sends prompts, reminders, escalations and campaigns exactly once (APScheduler 3.11)."""

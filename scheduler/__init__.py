"""Sends prompts, reminders, escalations, digests and campaigns exactly once (APScheduler 3.11).

- ``domain.schedule``: what is due, when and for whom (pure: local times across DST, calendars,
  pauses, missed days, digest content, campaign audiences);
- ``scheduler.planner``: turns that into outbox messages and records them (``store.outbox``);
- ``scheduler.runner``: ``tick`` plans, claims, sends through the notifiers and marks; and
  ``build_scheduler`` / ``run_scheduler`` run it every few seconds for ``greenslate run``;
- ``scheduler.notify``: the protocols the Telegram and Discord bots implement;
- ``scheduler.clock``: the system clock, or a clock a test moves by hand.
"""

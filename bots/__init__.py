"""Crew-facing chat bots: Telegram for the crew, Discord for eco-referents."""

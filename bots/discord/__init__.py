"""The Discord bot for eco-referents (discord.py 2.7)."""

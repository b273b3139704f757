"""One extension per feature; ``GreenslateBot.setup_hook`` loads them in ``EXTENSIONS`` order."""

EXTENSIONS = (
    "bots.discord.cogs.insights",  # /balance, /plan
    "bots.discord.cogs.missing",  # /missing
    "bots.discord.cogs.actions",  # /action
    "bots.discord.cogs.practices",  # /practice, the practices channel, votes
    "bots.discord.cogs.digest",  # the daily digest loop
)

"""Accessible sensitisation: the awareness message library, campaign audiences and voice notes.

- :mod:`sensitisation.library`: the versioned message library (``config/sensitisation/library.yaml``);
- :mod:`sensitisation.campaigns`: who a production file's campaign reaches (pure);
- :mod:`sensitisation.voice_notes`: a library message as a Telegram voice note, generated once and reused.
"""

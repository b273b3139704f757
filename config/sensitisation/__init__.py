"""The sensitisation message library (``library.yaml``), shipped as package data."""

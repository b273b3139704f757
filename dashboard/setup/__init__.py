"""The set-up pages: create a production and change it, one section at a time."""

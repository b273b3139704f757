"""Places a travel leg can name instead of a distance: French stations and airports with coordinates.

The table and its sources are described in ``README.md`` beside it.
"""

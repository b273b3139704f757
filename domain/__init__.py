"""The pure core of greenslate: model, carbon engine, plan indicators, schedules and use cases.

Imports only the standard library (a CI rule keeps it so).
"""

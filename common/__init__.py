"""What the bots, the dashboard and the command line share above the scheduler and the store:
the wiring of an application, presenters, exports and production files."""

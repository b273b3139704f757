"""One module per page: ``register(dash_app)`` registers the page, its layout and its callbacks."""

from __future__ import annotations

from dashboard.pages import data, exports, notfound, overview, plan, practices, reporting

PAGE_MODULES = (overview, plan, reporting, practices, data, exports, notfound)

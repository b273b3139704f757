"""What a page or a callback needs from the request: the greenslate App, the user, the language.

Nothing here is global: the App hangs on the Flask server (``server.extensions["greenslate"]``),
so several dashboards (one per test, say) live side by side in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import flask
from flask_login import current_user

from base.i18n import DEFAULT_LANGUAGE, normalise_language
from store.users import Membership, membership, memberships_of

if TYPE_CHECKING:
    from common.app import App
    from domain.model import Production

EXTENSION = "greenslate"


def greenslate_app() -> App:
    return flask.current_app.extensions[EXTENSION]


def language() -> str:
    """The language of this request: ``?lang=`` first, then the session, then French."""
    if flask.has_request_context():
        asked = flask.request.args.get("lang")
        if asked:
            return normalise_language(asked)
        return normalise_language(flask.session.get("lang", DEFAULT_LANGUAGE))
    return DEFAULT_LANGUAGE


def user_id() -> int | None:
    if not flask.has_request_context() or not current_user.is_authenticated:
        return None
    return int(current_user.get_id())


def user_email() -> str:
    return getattr(current_user, "email", "") if user_id() is not None else ""


def my_memberships() -> list[Membership]:
    uid = user_id()
    return [] if uid is None else memberships_of(greenslate_app().engine, uid)


def access(production_id: str | None) -> Membership | None:
    """The signed-in user's membership of ``production_id``, or None: then show nothing of it.

    Every layout, callback and download calls this first; the client's word is never taken.
    """
    uid = user_id()
    if uid is None or not production_id:
        return None
    return membership(greenslate_app().engine, uid, production_id)


def default_production() -> str | None:
    mine = my_memberships()
    return mine[0].production_id if mine else None


@dataclass(frozen=True)
class Page:
    """What every page opens with: the language, the App, the production shown and the user's membership."""

    lang: str
    app: App
    production: Production
    membership: Membership

    @property
    def production_id(self) -> str:
        return self.production.id


def open_page(production_id: str | None) -> Page | None:
    """The opening of a page for ``?production=`` (the user's first production by default).

    None when the user may not see it (signed out, not a member, no such production): the page then
    shows ``components.not_found`` and nothing of the production.
    """
    production_id = production_id or default_production()
    member = access(production_id)
    if member is None or production_id is None:
        return None
    app = greenslate_app()
    with app.uow() as uow:
        production = uow.productions.get(production_id)
    return Page(language(), app, production, member)

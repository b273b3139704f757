"""Plan: the eco-action plan as a table, its progress against target, and status changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import dash
from dash import Input, Output, State, dcc, html

from base import vocabulary
from base.i18n import number
from dashboard import callbacks, components, context
from dashboard.figures import ProgressRow, progress_figure, progress_summary
from dashboard.texts import error_text, tr
from domain.errors import GreenslateError
from domain.indicators import ActionProgress
from domain.model import ActionOutcome, ActionStatus
from domain.usecases import set_action_status
from store import queries

PATH = "/plan"
PLAN_COLUMNS = ("id", "objective", "progress", "gap", "status", "outcome", "indicator", "baseline", "current",
                "projected", "target", "theme", "owner", "means")
NO_OUTCOME = "none"
NOTE_LENGTH = 500


def register(dash_app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="plan", order=1, layout=layout,
                       title=lambda **_: tr("nav.plan", context.language()) + " · greenslate")

    @dash_app.callback(
        Output("plan-message", "children"),
        Output("plan-results", "children"),
        Input("plan-save", "n_clicks"),
        State("plan-production", "data"),
        State("plan-action", "value"),
        State("plan-status", "value"),
        State("plan-outcome", "value"),
        State("plan-note", "value"),
        prevent_initial_call=True,
    )
    @callbacks.checked(
        callbacks.clicks, callbacks.text(64), callbacks.text(64), callbacks.text(32), callbacks.text(32),
        callbacks.text(NOTE_LENGTH),
        answer=lambda message: (message, dash.no_update),
    )
    def save_status(
        _clicks: int | None,
        production_id: str | None,
        action_id: str | None,
        status: str | None,
        outcome: str | None,
        note: str | None,
    ) -> tuple[Any, Any]:
        """Change one action's status through the domain use case, if this user may."""
        lang = context.language()
        member = context.access(production_id)
        if member is None:
            return components.message(tr("notfound.text", lang), "error"), dash.no_update
        if not member.can_edit:
            return components.message(tr("plan.read_only", lang), "error"), dash.no_update
        if not action_id or not status:
            return components.message(tr("plan.choose", lang), "error"), dash.no_update
        try:
            chosen_status = ActionStatus(status)
            chosen_outcome = None if not outcome or outcome == NO_OUTCOME else ActionOutcome(outcome)
        except ValueError:
            return components.message(tr("plan.choose", lang), "error"), dash.no_update
        app = context.greenslate_app()
        try:
            set_action_status(
                app.uow(), production_id or "", action_id, chosen_status,
                by=context.user_email(), at=dt.datetime.now(dt.UTC),
                outcome=chosen_outcome, note=(note or "").strip(),
            )
        except GreenslateError as exc:
            return components.message(error_text(exc, lang), "error"), dash.no_update
        done = tr("plan.saved", lang, action=action_id, status=tr(f"status.{chosen_status.value}", lang))
        return components.message(done, "success"), results(production_id or "", lang)


def layout(production: str | None = None, **_: Any) -> html.Div:
    page = context.open_page(production)
    if page is None:
        return components.not_found(context.language())
    lang, prod, production_id = page.lang, page.production, page.production_id
    member = page.membership
    body: list[Any] = [
        html.H1(tr("plan.title", lang, title=prod.title)),
        dcc.Store(id="plan-production", data=production_id),
        html.Div(results(production_id, lang), id="plan-results"),
    ]
    if member.can_edit:
        body.append(status_form(prod, lang))
    else:
        body.append(html.P(tr("plan.viewer_note", lang), className="note"))
    return components.frame("plan", production_id, lang, *body)


def results(production_id: str, lang: str) -> list[Any]:
    app = context.greenslate_app()
    with app.uow() as uow:
        prod = uow.productions.get(production_id)
    progress = queries.plan(app.engine, prod)
    rows = [_row(p, lang) for p in progress]
    chart_rows = [ProgressRow(p.action.id, p.action.objective, p.progress_pct, p.on_track) for p in progress]
    done = [p for p in progress if p.action.status is ActionStatus.DONE]
    return [
        components.table(
            # where each action stands first, so it is in view on a laptop; the details after
            [(key, tr(f"plan.col.{key}", lang)) for key in PLAN_COLUMNS],
            rows,
            tr("plan.table", lang),
            table_id="plan-table",
            numeric=("baseline", "current", "projected", "target", "progress"),
        ),
        html.H2(tr("plan.progress", lang)),
        components.chart(
            "chart-plan",
            progress_figure(chart_rows, lang),
            progress_summary(chart_rows, lang),
            [("id", tr("plan.col.id", lang)), ("progress", tr("plan.col.progress", lang)),
             ("track", tr("plan.col.track", lang))],
            [{"id": r["id"], "progress": r["progress"], "track": r["track"]} for r in rows],
            tr("plan.chart.progress", lang),
            numeric=("progress",),
        ),
        html.H2(tr("plan.outcomes", lang)),
        html.P(tr("plan.outcomes_intro", lang)),
        html.Ul(
            [
                html.Li(f"{p.action.id} · {p.action.objective}: "
                        + tr(f"outcome.{p.action.outcome.value}" if p.action.outcome else "outcome.unset", lang))
                for p in done
            ]
            or [html.Li(tr("plan.no_done", lang))],
            id="plan-outcomes",
        ),
    ]


def _value(value: Decimal | None, unit: str, lang: str) -> str:
    if value is None:
        return "–"
    return vocabulary.quantity(value, unit, lang) if unit else number(value, lang, 2)


def gap_text(p: ActionProgress, lang: str) -> str:
    """How far the projection is from the target, in words, the same way for every action:
    ``300 L d’avance`` when it does better than the target, ``120 km de retard`` when worse."""
    if p.gap is None or p.on_track is None:
        return "–"
    if p.gap == 0:
        return tr("plan.gap.on_target", lang)
    amount = _value(abs(p.gap), p.unit, lang)
    if p.unit == "share":  # a difference of two percentages is in points
        amount = f"{vocabulary.amount(abs(p.gap), 'share', lang)} {tr('plan.points', lang)}"
    return tr("plan.gap.ahead" if p.on_track else "plan.gap.behind", lang, amount=amount)


def _row(p: ActionProgress, lang: str) -> dict[str, Any]:
    a = p.action
    track = "–" if p.on_track is None else tr("plan.on_track" if p.on_track else "plan.off_track", lang)
    return {
        "id": a.id,
        "objective": a.objective,
        "theme": tr(f"category.{a.theme.value}", lang),
        "owner": a.owner,
        "means": a.means,
        "indicator": vocabulary.indicator(a.indicator, lang),
        "baseline": _value(a.baseline, p.unit, lang),
        "current": tr("plan.no_figure", lang) if p.current is None else _value(p.current, p.unit, lang),
        "projected": _value(p.projected, p.unit, lang),
        "target": _value(a.target, p.unit, lang),
        "progress": "–" if p.progress_pct is None else f"{number(p.progress_pct, lang, 0)} %",
        "gap": gap_text(p, lang),
        "track": track,
        "status": tr(f"status.{a.status.value}", lang),
        "outcome": tr(f"outcome.{a.outcome.value}", lang) if a.outcome else "–",
    }


def status_form(prod: Any, lang: str) -> html.Section:
    def fieldset(legend: str, control: Any) -> html.Fieldset:
        return html.Fieldset([html.Legend(legend), control])

    return html.Section(
        [
            html.H2(tr("plan.change", lang), id="plan-change-title"),
            fieldset(
                tr("plan.field.action", lang),
                dcc.RadioItems(
                    id="plan-action",
                    options=[{"label": f"{a.id} · {a.objective}", "value": a.id} for a in prod.action_plan],
                    className="radios",
                ),
            ),
            fieldset(
                tr("plan.field.status", lang),
                dcc.RadioItems(
                    id="plan-status",
                    options=[{"label": tr(f"status.{s.value}", lang), "value": s.value} for s in ActionStatus],
                    className="radios",
                ),
            ),
            fieldset(
                tr("plan.field.outcome", lang),
                dcc.RadioItems(
                    id="plan-outcome",
                    options=[{"label": tr("outcome.unset", lang), "value": NO_OUTCOME}]
                    + [{"label": tr(f"outcome.{o.value}", lang), "value": o.value} for o in ActionOutcome],
                    value=NO_OUTCOME,
                    className="radios",
                ),
            ),
            html.P(
                [
                    html.Label(tr("plan.field.note", lang), htmlFor="plan-note"),
                    dcc.Input(id="plan-note", type="text", maxLength=NOTE_LENGTH, debounce=True),
                ]
            ),
            html.Button(tr("plan.save", lang), id="plan-save", type="button"),
            html.Div(id="plan-message", **{"aria-live": "polite"}),
        ],
        className="form",
        **{"aria-labelledby": "plan-change-title"},
    )

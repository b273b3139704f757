"""Screen readers: nothing the bots say after a button press lives only in a toast, and images carry text.

Android's TalkBack does not read Telegram's toasts (a callback answer with ``text`` and no
``show_alert``). So a callback answer is either empty, with the information in a message the bot
sends or edits, or an alert (``show_alert=True``), which is a dialog screen readers do read.
Images the bots send carry a text description: a ``caption`` on Telegram, a ``description`` (the
alt text) on a Discord attachment.

The check reads the bots' source (every module under ``bots/``) with ``ast``, so it covers handlers
no scenario test reaches; the first tests show it catches each mistake it looks for.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

BOTS = Path(__file__).resolve().parents[2] / "bots"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
PHOTO_METHODS = {"send_photo", "reply_photo", "send_animation", "reply_animation"}


@dataclass(frozen=True)
class Finding:
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _is_empty(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value in (None, ""))


def _string_constants(tree: ast.Module) -> dict[str, str]:
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def _filename(node: ast.expr | None, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[-1], ast.Constant):
        return str(node.values[-1].value)  # f"chart-{day}.png": the suffix is what matters
    return None


def check_source(source: str, name: str = "<source>") -> list[Finding]:
    """Every toast-only callback answer and every image without a text description in ``source``."""
    tree = ast.parse(source)
    constants = _string_constants(tree)
    findings = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute | ast.Name):
            continue
        method = call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id
        where = f"{name}:{call.lineno}"
        if method == "answer" and isinstance(call.func, ast.Attribute):
            # CallbackQuery.answer(text=None, show_alert=None, ...)
            text = _keyword(call, "text") or (call.args[0] if call.args else None)
            if not _is_empty(text) and not _is_true(_keyword(call, "show_alert")):
                findings.append(
                    Finding(where, "callback answer shown as a toast only (use show_alert=True or a message)")
                )
        elif method == "answer_callback_query":
            # Bot.answer_callback_query(callback_query_id, text=None, show_alert=None, ...)
            text = _keyword(call, "text") or (call.args[1] if len(call.args) > 1 else None)
            if not _is_empty(text) and not _is_true(_keyword(call, "show_alert")):
                findings.append(
                    Finding(where, "callback answer shown as a toast only (use show_alert=True or a message)")
                )
        elif method in PHOTO_METHODS:
            if _is_empty(_keyword(call, "caption")):
                findings.append(Finding(where, f"{method} without a caption describing the image"))
        elif method == "InputMediaPhoto":
            if _is_empty(_keyword(call, "caption")):
                findings.append(Finding(where, "InputMediaPhoto without a caption describing the image"))
        elif method == "File" and (
            not isinstance(call.func, ast.Attribute)
            or (isinstance(call.func.value, ast.Name) and call.func.value.id == "discord")
        ):
            filename = _filename(
                _keyword(call, "filename") or (call.args[1] if len(call.args) > 1 else None), constants
            )
            maybe_image = filename is None or filename.lower().endswith(IMAGE_SUFFIXES)
            if maybe_image and _is_empty(_keyword(call, "description")):
                findings.append(
                    Finding(where, f"Discord attachment {filename or '(image?)'} without a description (alt text)")
                )
    return findings


def bot_modules() -> list[Path]:
    return sorted(p for p in BOTS.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("await query.answer('Enregistré')", "toast"),
        ("await update.callback_query.answer(text=t(lang, 'saved'))", "toast"),
        ("await bot.answer_callback_query(query.id, 'Saved')", "toast"),
        ("await bot.answer_callback_query(callback_query_id=query.id, text=label, show_alert=False)", "toast"),
        ("await bot.send_photo(chat_id, photo=png)", "caption"),
        ("media = [InputMediaPhoto(png)]", "caption"),
        ("f = discord.File(buf, filename='chart.png')", "description"),
        ("CHART = 'balance.png'\nf = discord.File(buf, filename=CHART)", "description"),
        ("f = discord.File(buf, filename=name)", "description"),
    ],
)
def test_the_check_catches_each_mistake(source: str, expected: str) -> None:
    (finding,) = check_source(source)
    assert expected in finding.problem


@pytest.mark.parametrize(
    "source",
    [
        "await query.answer()",
        "await query.answer(text=t(lang, 'saved'), show_alert=True)",
        "await bot.answer_callback_query(query.id)",
        "await bot.send_photo(chat_id, photo=png, caption=t(lang, 'chart.alt'))",
        "f = discord.File(buf, filename='chart.png', description=alt)",
        "f = discord.File(buf, filename='figures.csv')",
        "await interaction.response.send_message(text, ephemeral=True)",
    ],
)
def test_the_check_lets_accessible_code_through(source: str) -> None:
    assert check_source(source) == []


def test_the_bots_never_answer_a_button_with_a_toast_only_nor_send_an_image_without_text() -> None:
    modules = bot_modules()
    assert modules, f"no bot modules under {BOTS}"
    findings = [
        f for path in modules for f in check_source(path.read_text("utf-8"), str(path.relative_to(BOTS.parent)))
    ]
    assert not findings, "\n".join(map(str, findings))

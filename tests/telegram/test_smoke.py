import datetime as dt

from tests.telegram.conftest import CHATS


async def test_join_and_answer(telegram_rig):
    rig = telegram_rig
    chat = await rig.join("amina")
    prompt = await rig.prompt("amina", "amina:mileage:mb1", dt.date(2027, 3, 1))
    print(prompt.text, prompt.buttons)
    [recap] = await rig.say(chat, "45 230")
    print(recap.text, recap.buttons)
    assert CHATS["amina"] == chat

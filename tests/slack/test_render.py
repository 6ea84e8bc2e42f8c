"""Neutral messages and forms as Block Kit (slack_sdk.models), and submitted modals back."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from adapters.slack.render import (
    FormContext,
    core_action_id,
    ephemeral_reply,
    field_errors,
    form_id_of,
    form_values,
    home_view,
    message_blocks,
    modal_view,
    unescape,
)
from bot.messages import (
    Button,
    ButtonStyle,
    Card,
    Field,
    FieldKind,
    Form,
    FormField,
    Message,
)
from tests.fakes.slack import block_problems, view_problems


def dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def test_member_text_cannot_become_markup() -> None:
    message = Message(text="Ping <!channel> & <@U0SAM0001> <https://x.example|click>",
                      fields=(Field("Why <you>", "a & b"),))
    shown = str(dicts(message_blocks(message)))
    assert "<!channel>" not in shown and "<@U0SAM0001>" not in shown and "<https" not in shown
    assert "&lt;!channel&gt; &amp; &lt;@U0SAM0001&gt;" in shown
    assert "*Why &lt;you&gt;*" in shown


def test_command_text_is_unescaped() -> None:
    assert unescape("find R&amp;D &lt;@U0MARIA01&gt;") == "find R&D <@U0MARIA01>"


def test_buttons_keep_the_core_id_and_stay_unique() -> None:
    accept = Button("Accept", "intro:accept:1", ButtonStyle.PRIMARY)
    message = Message(text="Requests", cards=(Card("#1", buttons=(accept,)),
                                              Card("#1 again", buttons=(accept,))),
                      buttons=(accept,))
    elements = [e for b in dicts(message_blocks(message)) if b["type"] == "actions"
                for e in b["elements"]]
    assert [e["action_id"] for e in elements] == [
        "intro:accept:1", "intro:accept:1~2", "intro:accept:1~3"]
    assert {e["value"] for e in elements} == {"intro:accept:1"}
    assert elements[0]["style"] == "primary"
    assert [core_action_id(e["action_id"]) for e in elements] == ["intro:accept:1"] * 3
    assert core_action_id("somebody-else") is None
    assert core_action_id("intro:accept:1~2~3") is None


def test_a_message_stays_within_the_block_limit() -> None:
    cards = tuple(Card(f"Mentor {n}", subtitle="PM", text="t", fields=(Field("Knows", "x"),),
                       buttons=(Button("Request intro", f"intro:request:{n}"),))
                  for n in range(30))
    blocks = dicts(message_blocks(Message(title="Mentors", text="Found", cards=cards,
                                          buttons=(Button("More", "intro:list:0"),))))
    assert len(blocks) <= 50
    assert block_problems(blocks, surface="message") == []
    assert blocks[-1]["type"] == "actions"  # the message's own buttons stay
    assert "more not shown here" in str(blocks[-2])
    home = home_view(Message(text="Home", cards=cards[:20])).to_dict()
    assert view_problems(home) == []
    assert "more not shown" not in str(home)  # the Home tab holds 100 blocks
    assert str(home).count("intro:request:") == 2 * 20


def test_long_text_is_split_into_sections() -> None:
    text = "\n".join(f"line {n} " + "x" * 90 for n in range(100))
    blocks = dicts(message_blocks(Message(text=text)))
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) >= 4
    assert all(len(b["text"]["text"]) <= 3000 for b in sections)
    assert "".join(b["text"]["text"] for b in sections).count("line ") == 100


def test_an_ephemeral_reply_has_fallback_text_and_blocks() -> None:
    reply = ephemeral_reply(Message(title="Your data", text="Everything we keep",
                                    cards=(Card("Request #1"),)))
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Your data\nEverything we keep\n• Request #1"
    assert reply["blocks"][0].to_dict()["type"] == "header"


FORM = Form(
    form_id="request:7",
    title="Ask Maria Chen about product management",
    intro="Ask to learn, not for a job.",
    submit_label="Send request",
    fields=(
        FormField("topic", "What I want to learn", FieldKind.PARAGRAPH, required=True,
                  max_length=500, initial="product", placeholder="p" * 200),
        FormField("name", "Name", FieldKind.TEXT, max_length=5000, hint="As you like"),
        FormField("format", "Format", FieldKind.CHOICE, required=True, initial="video",
                  choices=(("call", "15-minute call"), ("video", "Video chat"))),
        FormField("capacity", "Intros per month", FieldKind.NUMBER, initial="3"),
    ),
)


def test_a_form_becomes_a_modal() -> None:
    view = modal_view(FORM, FormContext("C0GENERAL", "http://127.0.0.1:1/response/x"),
                      note="Please rephrase").to_dict()
    assert view_problems(view) == []
    assert view["callback_id"] == "form|request:7"
    assert form_id_of(view["callback_id"]) == "request:7"
    assert FormContext.decode(view["private_metadata"]) == FormContext(
        "C0GENERAL", "http://127.0.0.1:1/response/x")
    assert len(view["title"]["text"]) <= 24
    assert view["submit"]["text"] == "Send request"
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert sections == ["Please rephrase", "Ask to learn, not for a job."]
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["topic", "name", "format", "capacity"]
    topic = inputs["topic"]["element"]
    assert (topic["type"], topic["multiline"], topic["max_length"], topic["initial_value"]) == (
        "plain_text_input", True, 500, "product")
    assert len(topic["placeholder"]["text"]) <= 150
    assert inputs["topic"]["optional"] is False
    assert inputs["name"]["element"]["max_length"] == 3000
    assert inputs["name"]["hint"]["text"] == "As you like"
    select = inputs["format"]["element"]
    assert select["type"] == "static_select"
    assert select["initial_option"]["value"] == "video"
    assert inputs["capacity"]["element"]["type"] == "number_input"
    assert inputs["capacity"]["element"]["initial_value"] == "3"


def test_submitted_values_come_back_by_field_id() -> None:
    state = {
        "topic": {"topic": {"type": "plain_text_input", "value": "product"}},
        "name": {"name": {"type": "plain_text_input", "value": None}},
        "format": {"format": {"type": "static_select", "selected_option": {"value": "call"}}},
        "capacity": {"capacity": {"type": "number_input", "value": "4"}},
        "tags": {"tags": {"type": "multi_static_select",
                          "selected_options": [{"value": "a"}, {"value": "b"}]}},
    }
    assert form_values(state) == {"topic": "product", "name": "", "format": "call",
                                  "capacity": "4", "tags": "a,b"}


def test_field_errors_land_on_a_block_of_the_view() -> None:
    view = modal_view(FORM, FormContext()).to_dict()
    errors = field_errors({"topic": "Too long", "elsewhere": "Something else"}, view)
    assert errors == {"topic": "Too long Something else"}


def test_garbage_private_metadata_is_no_context() -> None:
    assert FormContext.decode("not json") == FormContext()
    assert FormContext.decode('["a"]') == FormContext()
    assert FormContext.decode('{"c": 5, "r": "x"}') == FormContext("", "x")

"""Rendering within Discord's limits: any message the core could produce becomes messages
Discord accepts (checked against its OpenAPI description and the limits the description
can't express), and any form becomes modals of at most five inputs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord import limits as L
from adapters.discord.limits import clip
from adapters.discord.render import (
    Outgoing,
    build_modal,
    normalise_choice,
    pages_of,
    render_message,
    submitted_values,
)
from bot.messages import (
    Attachment,
    Button,
    ButtonStyle,
    Card,
    Field,
    FieldKind,
    Form,
    FormField,
    Message,
)
from tests.fakes.discord_openapi import default_requests

GUILD = 1_502_853_309_545_840_645
SPEC = default_requests()

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
long_text = st.one_of(text, st.integers(0, 9000).map(lambda n: "word " * (n // 5)))
buttons = st.lists(
    st.builds(Button, label=long_text, style=st.sampled_from(list(ButtonStyle)),
              action_id=st.builds(lambda verb, n: f"intro:{verb}:{n}",
                                  st.sampled_from(["accept", "decline", "notnow", "request"]),
                                  st.integers(1, 10**18 - 1))),
    max_size=7)
fields = st.lists(st.builds(Field, label=long_text, value=long_text), max_size=30)
cards = st.lists(st.builds(Card, title=long_text, subtitle=text, text=long_text,
                           fields=fields.map(tuple), buttons=buttons.map(tuple)), max_size=14)
attachments = st.lists(st.builds(Attachment, filename=st.from_regex(r"[a-z]{1,12}\.csv",
                                                                     fullmatch=True),
                                 content=st.binary(max_size=20), mime_type=st.just("text/csv")),
                       max_size=12)
messages = st.builds(Message, text=long_text, title=long_text, fields=fields.map(tuple),
                     cards=cards.map(tuple), buttons=buttons.map(tuple),
                     attachments=attachments.map(tuple))


def body_of(item: Outgoing) -> dict[str, Any]:
    body: dict[str, Any] = {"content": item.content,
                            "embeds": [e.to_dict() for e in item.embeds]}
    view = item.view()
    if view is not None:
        body["components"] = view.to_components()
    return body


def test_clip_keeps_short_text_and_marks_a_cut() -> None:
    assert clip("hello", 5) == "hello"
    assert clip("hello world", 8) == "hello w…"
    assert clip("a few words here to cut", 20) == "a few words here…"  # at a word
    assert len(clip("x" * 5000, L.CONTENT)) == L.CONTENT


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_message_renders_to_messages_discord_accepts(message: Message) -> None:
    out = render_message(message, GUILD)
    assert out
    sent_ids: list[str] = []
    for item in out:
        body = body_of(item)
        assert SPEC.errors("POST", "/channels/1/messages", body) == []
        assert not item.is_empty()
        assert len(item.embeds) <= L.EMBEDS
        assert item.embed_chars() <= L.EMBED_TOTAL
        assert len(item.rows) <= L.ACTION_ROWS
        assert len(item.attachments) <= L.FILES
        ids = item.custom_ids()
        assert all(len(i) <= L.CUSTOM_ID for i in ids)
        sent_ids += list(dict.fromkeys(ids))
    wanted = [f"ib:{GUILD}:{b.action_id}" for c in message.cards for b in c.buttons]
    wanted += [f"ib:{GUILD}:{b.action_id}" for b in message.buttons]
    assert set(sent_ids) == set(wanted)
    assert sum(len(i.attachments) for i in out) == len(message.attachments)


form_fields = st.lists(
    st.builds(FormField, field_id=st.from_regex(r"[a-z_]{1,20}", fullmatch=True),
              label=long_text, kind=st.sampled_from(list(FieldKind)), required=st.booleans(),
              max_length=st.integers(0, 6000), placeholder=long_text, initial=long_text,
              choices=st.lists(st.tuples(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
                                         text), max_size=6).map(tuple),
              hint=long_text),
    min_size=1, max_size=12, unique_by=lambda f: f.field_id)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(Form, form_id=st.from_regex(r"[a-z]{1,10}:[0-9]{1,18}", fullmatch=True),
                 title=long_text, fields=form_fields.map(tuple), intro=long_text))
def test_any_form_becomes_modals_discord_accepts(form: Form) -> None:
    pages = pages_of(form)
    assert sum(len(p) for p in pages) == len(form.fields)
    for number in range(len(pages)):
        modal = build_modal(form, number, GUILD).to_dict()
        body = {"type": 9, "data": modal}
        assert SPEC.errors("POST", "/interactions/1/token/callback", body) == []
        assert len(modal["components"]) <= L.MODAL_COMPONENTS
        assert modal["custom_id"] == f"ibm:{GUILD}:{number}/{len(pages)}:{form.form_id}"


def test_the_profile_form_splits_five_and_five() -> None:
    form = Form("mentor:profile", "Your mentor profile",
                tuple(FormField(f"f{n}", f"Field {n}") for n in range(10)))
    assert [len(p) for p in pages_of(form)] == [5, 5]
    assert build_modal(form, 1, GUILD).title == "Your mentor profile (2/2)"


def test_typed_choices_become_values() -> None:
    days = FormField("days", "Pause for", kind=FieldKind.CHOICE,
                     choices=(("7", "1 week"), ("14", "2 weeks"), ("30", "1 month")))
    assert normalise_choice(days, "14") == "14"
    assert normalise_choice(days, " 2 Weeks ") == "14"
    assert normalise_choice(days, "1 m") == "30"
    assert normalise_choice(days, "1") == "1"  # two labels start with 1: left to the core
    assert normalise_choice(days, "forever") == "forever"


def test_submitted_values_are_read_from_labels_and_rows() -> None:
    components = [
        {"type": 10, "id": 1},
        {"type": 18, "id": 2, "component": {"type": 4, "custom_id": "topic", "value": "x"}},
        {"type": 1, "components": [{"type": 4, "custom_id": "format", "value": "call"}]},
    ]
    assert submitted_values(components) == {"topic": "x", "format": "call"}

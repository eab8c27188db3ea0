"""The phone line driven as Twilio drives it: every webhook request signed with twilio's RequestValidator
over the URL Twilio calls, the TwiML answer parsed, and its <Gather> action followed with SpeechResults."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import count

import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from comstack_core import Principal
from comstack_core.models import LivePhoneNumber, LiveSession
from comstack_core.schemas import ModuleUpdate, PlanUpdate

from .conftest import Voice, standard_plan

TOKEN = "0123456789abcdef0123456789abcdef"
NUMBER = "+15555550100"
DESK = "+15555550111"
WEBHOOK = "/api/live/twilio/voice"
_sids = count(1)


@dataclass
class TwilioCall:
    voice: Voice
    to: str = NUMBER
    token: str = TOKEN
    public_url: str = "http://testserver"
    call_sid: str = field(default_factory=lambda: f"CA{next(_sids):032d}")
    next_url: str = ""

    async def post(
        self, speech: str | None = None, *, signature: str | None = None
    ) -> tuple[int, ET.Element | dict]:
        url = self.next_url or self.public_url + WEBHOOK
        params = {
            "AccountSid": "AC" + "0" * 32,
            "CallSid": self.call_sid,
            "From": "+14155550199",
            "To": self.to,
            "CallStatus": "in-progress",
            "Direction": "inbound",
        }
        if speech is not None:
            params |= {"SpeechResult": speech, "Confidence": "0.91"}
        signed = RequestValidator(self.token).compute_signature(url, params)
        path = url.removeprefix(self.public_url)
        response = await self.voice.rest.client.post(
            path, data=params, headers={"X-Twilio-Signature": signature if signature is not None else signed}
        )
        if response.status_code != 200:
            return response.status_code, response.json()
        assert response.headers["content-type"].startswith("application/xml")
        root = ET.fromstring(response.text)
        gather = root.find("Gather")
        if gather is not None:
            self.next_url = gather.attrib["action"]
        return 200, root


def says(root: ET.Element) -> str:
    return " ".join(node.text or "" for node in root.iter("Say"))


async def phone_line(voice: Voice, **config: object) -> None:
    await standard_plan(voice.core, voice.project_id)
    await voice.core.modules.configure_module(
        voice.world.manager,
        voice.project_id,
        "voice_phone",
        ModuleUpdate(enabled=True, config={"numbers": [NUMBER], "auth_token": TOKEN, **config}),
    )


async def test_a_trial_project_gets_no_number_until_its_plan_allows_one(voice: Voice) -> None:
    body = {"enabled": True, "config": {"numbers": ["+1 (555) 555-0100"], "auth_token": TOKEN}}
    url = voice.rest.p("/modules/voice_phone", voice.project_id)
    trial = await voice.rest.call("PATCH", url, "manager", json=body)
    assert trial.status_code == 403 and trial.json()["code"] == "quota_exceeded"
    await standard_plan(voice.core, voice.project_id)
    done = await voice.rest.call("PATCH", url, "manager", json=body)
    assert done.status_code == 200, done.text
    config = done.json()["config"]
    assert config["numbers"] == [NUMBER] and config["auth_token_set"] is True and "auth_token" not in config
    project = await voice.rest.call("GET", voice.rest.p("", voice.project_id), "viewer")
    assert TOKEN not in project.text
    bad = await voice.rest.call("PATCH", url, "manager", json={"config": {"numbers": ["555-0100"]}})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_phone_number"
    # One number leads to one project.
    await standard_plan(voice.core, voice.other_project_id)
    taken = await voice.rest.call(
        "PATCH", voice.rest.p("/modules/voice_phone", voice.other_project_id), "outsider", json=body
    )
    assert taken.status_code == 409 and taken.json()["code"] == "number_taken"


async def test_a_whole_call_answered_unanswerable_and_transferred(voice: Voice) -> None:
    await phone_line(voice, transfer_to=DESK)
    call = TwilioCall(voice)
    status, root = await call.post()
    assert status == 200
    gather = root.find("Gather")
    assert gather is not None and gather.attrib["input"] == "speech" and gather.attrib["language"] == "en-US"
    assert "Corner Bakery" in says(root)
    assert call.next_url.startswith("http://testserver/api/live/twilio/voice?turn=1")

    status, root = await call.post("Hi, when is the bakery open on Saturdays?")
    assert "7 am to 6 pm" in says(root) and "Anything else?" in says(root)
    assert root.find("Gather") is not None and root.find("Hangup") is None

    status, root = await call.post("Do you repair bicycles?")
    assert "don't know" in says(root) and root.find("Gather") is not None

    status, root = await call.post("Can I talk to a person please")
    assert root.findtext("Dial") == DESK and root.find("Hangup") is not None

    sessions = (
        await voice.rest.call(
            "GET", voice.rest.p("/live/sessions?channel=phone", voice.project_id), "manager"
        )
    ).json()["sessions"]
    assert len(sessions) == 1
    summary = sessions[0]
    assert summary["actor_kind"] == "phone" and summary["actor_id"] == NUMBER
    assert summary["caller"] == "+14155550199" and summary["ended_at"] is not None
    assert summary["question_count"] == 2 and summary["unanswered_count"] == 1
    detail = (
        await voice.rest.call(
            "GET", voice.rest.p(f"/live/sessions/{summary['id']}", voice.project_id), "manager"
        )
    ).json()
    assert [t["kind"] for t in detail["turns"]] == ["greeting", "question", "question", "transfer"]
    assert detail["turns"][1]["source_path"] and detail["unanswered_questions"] == ["Do you repair bicycles?"]


async def test_goodbye_ends_the_call_and_a_transfer_without_a_desk_goes_on(voice: Voice) -> None:
    await phone_line(voice)
    call = TwilioCall(voice)
    await call.post()
    _, root = await call.post("can I speak to someone")
    assert "can't transfer" in says(root) and root.find("Dial") is None and root.find("Gather") is not None
    _, root = await call.post("OK thanks, bye!")
    assert "Goodbye" in says(root) and root.find("Hangup") is not None and root.find("Gather") is None


async def test_wrong_or_missing_signatures_are_refused(voice: Voice) -> None:
    await phone_line(voice)
    call = TwilioCall(voice)
    status, body = await call.post(signature="bm90IGEgc2lnbmF0dXJl")
    assert status == 403 and body["code"] == "invalid_twilio_signature"
    status, body = await TwilioCall(voice, token="another-account-token").post()
    assert status == 403
    response = await voice.rest.client.post(WEBHOOK, data={"CallSid": "CA1", "To": NUMBER})
    assert response.status_code == 403
    sessions = await voice.rest.call("GET", voice.rest.p("/live/sessions", voice.project_id), "manager")
    assert sessions.json()["total"] == 0  # nothing is stored for a refused request


async def test_behind_a_proxy_the_public_url_is_what_is_signed(
    voice: Voice, monkeypatch: pytest.MonkeyPatch
) -> None:
    await phone_line(voice)
    monkeypatch.setattr(voice.core.settings, "public_url", "https://voice.example.com")
    status, root = await TwilioCall(voice, public_url="https://voice.example.com").post()
    assert status == 200 and root.find("Gather").attrib["action"].startswith("https://voice.example.com/")
    status, _ = await TwilioCall(voice, public_url="http://testserver").post()  # the socket's URL
    assert status == 403


async def test_unknown_numbers_hear_a_polite_goodbye(voice: Voice, monkeypatch: pytest.MonkeyPatch) -> None:
    status, root = await TwilioCall(voice, to="+15555550199").post()
    assert status == 200 and "not connected" in says(root) and root.find("Hangup") is not None
    # With the installation's token set, even that answer needs Twilio's signature.
    monkeypatch.setattr(voice.core.settings, "twilio_auth_token", "installation-token-0123456789abcd")
    status, _ = await TwilioCall(voice, to="+15555550199").post()
    assert status == 403
    status, root = await TwilioCall(
        voice, to="+15555550199", token="installation-token-0123456789abcd"
    ).post()
    assert status == 200 and root.find("Hangup") is not None


async def test_the_installation_token_serves_a_line_without_its_own(
    voice: Voice, monkeypatch: pytest.MonkeyPatch
) -> None:
    await standard_plan(voice.core, voice.project_id)
    await voice.core.modules.configure_module(
        voice.world.manager,
        voice.project_id,
        "voice_phone",
        ModuleUpdate(enabled=True, config={"numbers": [NUMBER]}),
    )
    status, body = await TwilioCall(voice).post()
    assert status == 403 and body["code"] == "twilio_not_configured"
    monkeypatch.setattr(voice.core.settings, "twilio_auth_token", TOKEN)
    status, root = await TwilioCall(voice).post()
    assert status == 200 and root.find("Gather") is not None


async def test_calls_count_against_the_daily_quota(voice: Voice) -> None:
    await phone_line(voice)
    await voice.core.plans.update_plan(
        Principal.system(), voice.project_id, PlanUpdate(quotas={"max_sessions_per_day": 1})
    )
    first = TwilioCall(voice)
    assert (await first.post())[0] == 200
    _, root = await first.post("When is the bakery open on Saturdays?")  # the same call goes on
    assert "7 am" in says(root)
    status, root = await TwilioCall(voice).post()
    assert status == 200 and "try again tomorrow" in says(root) and root.find("Hangup") is not None


async def test_two_projects_claiming_one_number_at_once_get_one_conflict(voice: Voice) -> None:
    await standard_plan(voice.core, voice.project_id)
    await standard_plan(voice.core, voice.other_project_id)
    body = {"enabled": True, "config": {"numbers": [NUMBER], "auth_token": TOKEN}}
    answers = await asyncio.gather(
        voice.rest.call("PATCH", voice.rest.p("/modules/voice_phone", voice.project_id), "manager", json=body),
        voice.rest.call(
            "PATCH", voice.rest.p("/modules/voice_phone", voice.other_project_id), "outsider", json=body
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["code"] == "number_taken" and NUMBER in refused.json()["error"]
    winner = voice.project_id if answers[0].status_code == 200 else voice.other_project_id
    async with voice.core.db.read() as session:
        rows = (await session.exec(select(LivePhoneNumber))).all()
    assert [(r.number, r.project_id) for r in rows] == [(NUMBER, winner)]


async def test_a_first_request_sent_twice_at_once_opens_one_session(voice: Voice) -> None:
    """Twilio retries a webhook it thinks was lost: the same CallSid's first request twice at once."""
    await phone_line(voice)
    await voice.core.plans.update_plan(
        Principal.system(), voice.project_id, PlanUpdate(quotas={"max_sessions_per_day": 1})
    )
    first = TwilioCall(voice)
    twice = TwilioCall(voice, call_sid=first.call_sid)
    answers = await asyncio.gather(first.post(), twice.post())
    assert [status for status, _ in answers] == [200, 200], answers
    for _, root in answers:
        assert isinstance(root, ET.Element) and "try again tomorrow" not in says(root)
    async with voice.core.db.read() as session:
        sessions = (await session.exec(select(LiveSession).where(LiveSession.call_sid == first.call_sid))).all()
    assert len(sessions) == 1
    # Counted once: the day's one session is this call, and the next call is over the quota.
    status, root = await TwilioCall(voice).post()
    assert status == 200 and "try again tomorrow" in says(root)

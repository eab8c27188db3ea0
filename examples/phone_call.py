"""A phone call to a project's knowledge line, played the way Twilio plays it, with no Twilio account.

    python examples/phone_call.py [DATA_DIR]

Creates a voice project with two live pages, moves it to the standard plan, gives it a number, then posts
Twilio's voice webhook to the real app (in process): each request signed with twilio's RequestValidator,
each TwiML answer parsed, its <Gather> action followed with what the caller "says". Prints the call and
the transcript a manager reads afterwards. Point a real Twilio number at /api/live/twilio/voice to do
the same over the phone (README, "Live voice").
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

from comstack_core import Core, Principal, Settings
from comstack_core.schemas import (
    ModuleUpdate,
    PageCreate,
    PageRef,
    PageStatusUpdate,
    PlanUpdate,
    ProjectCreate,
    PublishConfirm,
    PublishRequest,
    UserCreate,
)
from comstack_http.app import create_app

PUBLIC_URL = "https://voice.example.com"  # what Twilio calls; the app is reached in process here
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"  # the Twilio account's auth token
NUMBER = "+15555550100"
NAME = "Corner Bakery"
PAGES = [
    ("visit/opening-hours", "Opening hours", "The bakery is open from 7 am to 6 pm, Monday to Saturday."),
    ("order/delivery", "Delivery", "We deliver wedding cakes within 20 kilometres. Delivery costs 15 euros."),
]
CALLER_SAYS = [
    "When is the bakery open?",
    "How much is delivery?",
    "Do you repair bicycles?",
    "OK thanks, bye!",
]


async def set_up(core: Core) -> str:
    operator = Principal.system(door="script")
    user = await core.users.create_user(operator, UserCreate(email="baker@example.com"))
    baker = await core.users.principal_for_user(user.id, door="script")
    project = await core.projects.create_project(
        baker, ProjectCreate(name=NAME, template_id="business-voice")
    )
    for slug, title, text in PAGES:
        saved = await core.editing.create_page(
            baker, project.id, PageCreate(slug=slug, title=title, content=text)
        )
        await core.pages.set_page_status(
            baker,
            project.id,
            PageRef(path=saved.page.path),
            PageStatusUpdate(status="ready", project_name=NAME),
        )
    dry = await core.publishing.publish(baker, project.id, PublishRequest(project_name=NAME))
    await core.publishing.publish_confirm(
        baker, project.id, PublishConfirm(project_name=NAME, confirmation_token=dry.confirmation_token)
    )
    await core.runner.run_pending()
    await core.plans.update_plan(operator, project.id, PlanUpdate(tier="standard"))  # trial: no numbers
    await core.modules.configure_module(
        baker,
        project.id,
        "voice_phone",
        ModuleUpdate(enabled=True, config={"numbers": [NUMBER], "auth_token": AUTH_TOKEN}),
    )
    return project.id


async def main(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, public_url=PUBLIC_URL, run_publish_jobs=False)
    async with Core.open(settings) as core:
        project_id = await set_up(core)
        app = create_app(settings, core=core)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as twilio,
        ):
            url = PUBLIC_URL + "/api/live/twilio/voice"
            for said in [None, *CALLER_SAYS]:
                params = {"CallSid": "CA" + "1" * 32, "From": "+14155550199", "To": NUMBER}
                if said is not None:
                    params["SpeechResult"] = said
                    print(f"caller: {said}")
                signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
                response = await twilio.post(url, data=params, headers={"X-Twilio-Signature": signature})
                response.raise_for_status()
                twiml = ET.fromstring(response.text)
                print("line:   " + " ".join(node.text or "" for node in twiml.iter("Say")))
                gather = twiml.find("Gather")
                if gather is None:
                    break
                url = gather.attrib["action"]  # Twilio posts the caller's next words here
        manager = Principal.system(door="script")
        listed = await core.transcripts.list_sessions(manager, project_id)
        call = await core.transcripts.get_session(manager, project_id, listed.sessions[0].id)
        print(
            f"transcript: {call.turn_count} turns, {call.question_count} questions, unanswered: "
            f"{call.unanswered_questions}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        asyncio.run(main(Path(sys.argv[1])))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(main(Path(tmp)))

"""`comstack admin set-plan`: an operator moves a trial project to the standard plan, whose quotas allow
a phone number."""

from __future__ import annotations

from pathlib import Path

from comstack_core import Core, Principal, Settings
from comstack_core.schemas import ModuleUpdate

from ..test_cli import comstack


async def test_set_plan_standard_lets_a_project_have_a_phone_number(tmp_path: Path) -> None:
    assert comstack("admin", "create-user", "--email", "ada@example.com", data_dir=tmp_path).returncode == 0
    created = comstack(
        "admin",
        "create-project",
        "--name",
        "Corner Bakery",
        "--owner",
        "ada@example.com",
        "--template",
        "business-voice",
        data_dir=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    project_id = created.stdout.strip()
    settings = Settings(data_dir=tmp_path)
    phone = ModuleUpdate(enabled=True, config={"numbers": ["+15555550100"]})
    async with Core.open(settings) as core:
        trial = await core.projects.get_project(Principal.system(), project_id)
        assert trial.plan.tier == "trial" and trial.plan.quotas.max_numbers == 0

    wrong = comstack("admin", "set-plan", "--project", project_id, "--plan", "gold", data_dir=tmp_path)
    assert wrong.returncode == 2 and wrong.stdout == "" and "trial or standard" in wrong.stderr
    missing = comstack(
        "admin", "set-plan", "--project", "prj_missing", "--plan", "standard", data_dir=tmp_path
    )
    assert missing.returncode == 2 and "prj_missing" in missing.stderr

    done = comstack("admin", "set-plan", "--project", project_id, "--plan", "standard", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "standard\n"
    async with Core.open(settings) as core:
        standard = await core.projects.get_project(Principal.system(), project_id)
        assert standard.plan.tier == "standard" and standard.plan.quotas.max_numbers == 5
        line = await core.modules.configure_module(Principal.system(), project_id, "voice_phone", phone)
        assert line.enabled and line.config["numbers"] == ["+15555550100"]

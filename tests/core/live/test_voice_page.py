"""The browser voice page as served: the template, its configuration for the script, and the assets.
Driving it in a browser needs the live-voice routes; that test sits with them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from comstack_core.live.web import ASSETS, ASSETS_DIR, VoicePage, asset_path, render_voice_page

HOSTILE = 'Acme </script><script>alert("x")</script> & Co'


def page_tree(page: VoicePage) -> LexborHTMLParser:
    return LexborHTMLParser(render_voice_page(page))


def one(tree: LexborHTMLParser, selector: str) -> LexborNode:
    node = tree.css_first(selector)
    assert node is not None, selector
    return node


def test_config_reaches_the_script_intact() -> None:
    page = VoicePage(project_id="prj_1", project_name=HOSTILE, language="es-MX")
    html = render_voice_page(page)
    assert html.count("</script>") == 2  # the config block's and the script tag's: the name cannot close one
    tree = LexborHTMLParser(html)
    config = json.loads(one(tree, "script#voice-config").text())
    assert config == {
        "projectId": "prj_1",
        "projectName": HOSTILE,
        "language": "es-MX",
        "sessionUrl": "/api/live/session",
        "resumeUrl": "/api/live/session/resume",
        "executeUrl": "/api/live/tools/execute",
        "headers": {},
        "askForKey": True,
    }
    assert one(tree, "script#voice-config").attributes["type"] == "application/json"
    assert one(tree, "html").attributes["lang"] == "es-MX"
    assert one(tree, "h1").text() == f"Ask {HOSTILE}"
    assert not tree.css("script:not([src]):not([type='application/json'])")  # no inline code (CSP-friendly)


def test_embedded_credentials_hide_the_key_field() -> None:
    page = VoicePage("prj_1", "Acme", "en", headers={"x-api-key": "cs_abc"}, assets_url="/static/live/")
    tree = page_tree(page)
    config = json.loads(one(tree, "script#voice-config").text())
    assert config["headers"] == {"x-api-key": "cs_abc"} and config["askForKey"] is False
    assert VoicePage("p", "A", "en", ask_for_key=False).script_config()["askForKey"] is False
    assert [n.attributes["src"] for n in tree.css("script[src]")] == ["/static/live/voice.js"]
    assert [n.attributes["href"] for n in tree.css("link[rel=stylesheet]")] == ["/static/live/voice.css"]


def test_no_remote_assets_and_every_element_the_script_uses() -> None:
    tree = page_tree(VoicePage("prj_1", "Acme", "en"))
    for node in tree.css("[src], [href]"):
        value = node.attributes.get("src") or node.attributes.get("href") or ""
        assert value.startswith("/live/assets/") or value == "data:,", value  # data:, = no favicon request
    script = (ASSETS_DIR / "voice.js").read_text()
    css = (ASSETS_DIR / "voice.css").read_text()
    assert not re.search(r"https?://", script + css)
    assert "import " not in script and "require(" not in script  # no framework, no modules
    used = set(re.findall(r'el\("([a-z-]+)"\)', script)) | {"voice-config"}
    present = {n.attributes["id"] for n in tree.css("[id]")}
    assert used <= present, used - present
    # The script speaks to exactly the three configured routes, with the bearer session token.
    for key in ("sessionUrl", "resumeUrl", "executeUrl"):
        assert f"config.{key}" in script
    assert '"Bearer " + ' in script and '"x-project-id": config.projectId' in script
    assert "SpeechRecognition" in script and "speechSynthesis" in script


def test_assets_are_served_by_name_only() -> None:
    assert set(ASSETS) == {"voice.js", "voice.css"}
    for name in ASSETS:
        path = asset_path(name)
        assert path is not None and path.is_file()
    for name in ("../web.py", "voice.html", "", "assets/voice.js", "VOICE.JS"):
        assert asset_path(name) is None


@pytest.mark.skipif(shutil.which("node") is None, reason="no node to parse the script")
def test_the_script_parses() -> None:
    done = subprocess.run(["node", "--check", str(ASSETS_DIR / "voice.js")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr

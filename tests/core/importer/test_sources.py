"""MkDocs, Hugo, Docusaurus and plain trees built here, read into plans."""

from __future__ import annotations

from pathlib import Path

from comstack_core.importer import ImportOptions, ImportPlan, PlannedPage, read_tree
from comstack_core.rules.templates import BUILTIN_DOC_TEMPLATES

from .trees import PNG, write


def page(plan: ImportPlan, slug: str) -> PlannedPage:
    return next(p for p in plan.pages if p.slug == slug)


def notes(plan: ImportPlan, path: str) -> list[tuple[int | None, str, str]]:
    report = next(f for f in plan.files if f.path == path)
    return [(n.line, n.kind, n.code) for n in report.notes]


MKDOCS_YML = """site_name: Acme Docs
docs_dir: site-src
nav:
  - Home: index.md
  - Guides:
    - Install: guides/install.md
    - Advanced:
      - guides/advanced/index.md
      - Tuning: guides/advanced/tuning.md
  - Gone: nowhere.md
  - Blog: https://blog.example.com/
markdown_extensions:
  - toc:
      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
  - pymdownx.snippets:
      base_path: [snippets]
      auto_append: [links.md]
"""


def test_mkdocs_project(tmp_path: Path) -> None:
    write(tmp_path, {
        "mkdocs.yml": MKDOCS_YML,
        "snippets/links.md": "[install-ref]: /guides/install.md\n",
        "snippets/warn.md": "Shared warning text.\n",
        "site-src/index.md": "# Welcome\n\nSee [install](guides/install.md#steps) and [tuning](guides/advanced/tuning.md).\n"
        "Broken: [gone](missing.md).\n\n![logo](img/logo.png)\n\n--8<-- \"warn.md\"\n",
        "site-src/img/logo.png": PNG,
        "site-src/guides/install.md": "---\ntitle: Installing Acme\ndescription: How to install.\ntags: [setup]\n---\n"
        "!!! warning \"Read first\"\n    Back up **everything**.\n\n    ```sh\n    !!! not an admonition\n    ```\n"
        "After.\n\n=== \"Linux\"\n    apt install acme\n\n=== \"macOS\"\n    brew install acme\n\n"
        "```md\n!!! note\n    inside code stays\n```\n\nRun `#!sh acme up`. Press ++ctrl+c++. Back [home](../index.md). [Ref][install-ref]\n",
        "site-src/guides/advanced/index.md": "Advanced topics\n===============\n\n??? tip\n    Collapsible.\n",
        "site-src/guides/advanced/tuning.md": "Tuning text without a heading {: .lead }\n",
        "site-src/orphan.md": "# Orphan\n",
        "site-src/.hidden/secret.md": "# Secret\n",
    })
    plan = read_tree(tmp_path)
    assert (plan.kind, plan.site_name, plan.content_root) == ("mkdocs", "Acme Docs", "site-src")
    assert sorted(p.slug for p in plan.pages) == [
        "guides/advanced", "guides/advanced/tuning", "guides/install", "index", "orphan"
    ]
    assert [(g.title, g.page_slugs) for g in plan.groups] == [
        ("Acme Docs", ["index"]),
        ("Guides", ["guides/install", "guides/advanced", "guides/advanced/tuning"]),
    ]
    assert {n.code for n in plan.notes} == {"nav_missing", "nav_link"}

    home = page(plan, "index")
    assert home.title == "Welcome" and home.source_path == "site-src/index.md"
    image = plan.images[0]
    assert image.source_path == "site-src/img/logo.png" and image.used_by == ["index"]
    assert f"![logo](image:{image.sha256})" in home.content
    assert "[install](/guides/install/#steps)" in home.content
    assert "[tuning](/guides/advanced/tuning/)" in home.content
    assert "Broken: gone." in home.content and "missing.md" not in home.content  # a broken link keeps its text
    assert "Shared warning text." in home.content
    assert (4, "link", "link_missing") in notes(plan, "site-src/index.md")

    install = page(plan, "guides/install")
    assert (install.title, install.description) == ("Installing Acme", "How to install.")
    assert install.metadata == {"tags": ["setup"]}
    assert "> [!WARNING]\n> **Read first**\n>\n> Back up **everything**.\n>\n> ```sh\n> !!! not an admonition\n> ```\n" in install.content
    assert "**Linux**\n\napt install acme" in install.content and "**macOS**" in install.content
    assert "```md\n!!! note\n    inside code stays\n```" in install.content
    assert "<kbd>Ctrl</kbd>+<kbd>C</kbd>" in install.content and "Run `acme up`." in install.content
    assert "[home](/)" in install.content and "[install-ref]: /guides/install/" in install.content
    install_notes = notes(plan, "site-src/guides/install.md")
    assert (6, "converted", "admonition") in install_notes and (14, "converted", "tabs") in install_notes

    advanced = page(plan, "guides/advanced")
    assert advanced.title == "Advanced topics" and "> [!TIP]" in advanced.content
    tuning = page(plan, "guides/advanced/tuning")
    assert tuning.title == "Tuning" and "{: .lead }" not in tuning.content
    orphan = next(f for f in plan.files if f.path == "site-src/orphan.md")
    assert orphan.status == "imported" and [n.code for n in orphan.notes] == ["not_in_nav"]
    assert next(f for f in plan.files if f.path == "site-src/.hidden/").code == "hidden"
    assert all(p.content_hash and len(p.source_hash) == 64 for p in plan.pages)


def test_hugo_content(tmp_path: Path) -> None:
    write(tmp_path, {
        "hugo.toml": 'title = "Hugo Site"\n',
        "static/images/arch.png": PNG,
        "content/_index.md": "+++\ntitle = \"Start\"\n+++\nWelcome.\n",
        "content/docs/_index.md": "---\ntitle: Documentation\nweight: 2\n---\n",
        "content/docs/b.md": "---\ntitle: Second\nweight: 20\ndate: 2024-05-01\n---\n"
        "{{< note >}}\nRemember.\n{{< /note >}}\n\nSee [first]({{< ref \"a.md\" >}}).\n\n"
        "{{< figure src=\"/images/arch.png\" alt=\"Architecture\" caption=\"The parts\" >}}\n\n"
        "{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}\n\n{{< param foo >}}\n",
        "content/docs/a.md": "---\ntitle: First\nweight: 10\nslug: first-steps\n---\nText.\n",
        "content/docs/a.fr.md": "---\ntitle: Premier\n---\nTexte.\n",
        "content/docs/wip.md": "---\ntitle: WIP\ndraft: true\n---\n",
        "content/about.md": "{\n  \"title\": \"About\", \"weight\": 1\n}\nJSON front matter.\n",
    })
    plan = read_tree(tmp_path)
    assert (plan.kind, plan.site_name) == ("hugo", "Hugo Site")
    slugs = {(p.slug, p.language) for p in plan.pages}
    assert slugs == {("index", "en"), ("about", "en"), ("docs", "en"), ("docs/first-steps", "en"),
                     ("docs/a", "fr"), ("docs/b", "en")}
    assert [(g.title, g.page_slugs) for g in plan.groups] == [
        ("Hugo Site", ["index", "about"]), ("Documentation", ["docs", "docs/first-steps", "docs/b"])
    ]
    second = page(plan, "docs/b")
    assert second.metadata == {"date": "2024-05-01"}
    assert "> [!NOTE]\n> Remember." in second.content
    assert "[first](/docs/first-steps/)" in second.content
    assert f"![Architecture](image:{plan.images[0].sha256})" in second.content and "*The parts*" in second.content
    assert "```go\nfunc main() {}\n```" in second.content
    assert "{{< param foo >}}" in second.content
    assert (18, "unsupported", "shortcode") in notes(plan, "content/docs/b.md")
    wip = next(f for f in plan.files if f.path == "content/docs/wip.md")
    assert (wip.status, wip.code) == ("skipped", "draft")
    assert len(read_tree(tmp_path, ImportOptions(include_drafts=True)).pages) == 7


def test_docusaurus_docs(tmp_path: Path) -> None:
    write(tmp_path, {
        "docusaurus.config.js": "module.exports = {\n  title: 'Docu Site',\n};\n",
        "docs/intro.md": "---\nsidebar_position: 1\n---\n# Intro\n\nGo to [the guide](./02-guides/setup.mdx).\n",
        "docs/02-guides/_category_.json": '{"label": "Guides", "position": 2}',
        "docs/02-guides/setup.mdx": "---\nid: getting-set-up\ntitle: Setup\nsidebar_position: 2\n---\n"
        "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n"
        ":::tip[Pro tip]\nUse **npm**.\n:::\n\n<Tabs>\n  <TabItem value=\"npm\" label=\"npm\">\n    npm i\n  </TabItem>\n"
        "  <TabItem value=\"yarn\">\n    yarn add\n  </TabItem>\n</Tabs>\n\n{/* hidden note */}\n\n<Chart data={x} />\n",
        "docs/02-guides/01-first.md": "---\nsidebar_position: 1\nslug: /start-here\n---\n# First\n",
    })
    plan = read_tree(tmp_path)
    assert (plan.kind, plan.site_name) == ("docusaurus", "Docu Site")
    assert [(g.title, g.page_slugs) for g in plan.groups] == [
        ("Docu Site", ["intro"]), ("Guides", ["start-here", "guides/getting-set-up"])
    ]
    setup = page(plan, "guides/getting-set-up")
    assert "import " not in setup.content and "hidden note" not in setup.content
    assert "> [!TIP]\n> **Pro tip**\n>\n> Use **npm**." in setup.content
    assert "**npm**\n\nnpm i" in setup.content and "**yarn**\n\nyarn add" in setup.content
    kinds = notes(plan, "docs/02-guides/setup.mdx")
    assert (6, "converted", "mdx_import") in kinds and (24, "unsupported", "jsx") in kinds
    assert "[the guide](/guides/getting-set-up/)" in page(plan, "intro").content


def test_plain_folder_titles_slugs_conflicts_and_template_fields(tmp_path: Path) -> None:
    write(tmp_path, {
        "README.md": "Just text.\n",
        "Getting Started.md": "---\ntitle: Start\nauthor: 42\npublished: 2024-01-02\ntags: a, b\n---\n",
        "guide.md": "# Guide\n",
        "guide/index.md": "# Guide index\n",
        "notes/Ünïcode_File.md": "text\n",
        "doc.txt": "not markdown",
    })
    blog = next(t for t in BUILTIN_DOC_TEMPLATES if t["id"] == "blog")
    plan = read_tree(tmp_path, ImportOptions(doc_template_id="blog", template_fields=tuple(blog["fields"])))
    assert plan.kind == "plain"
    assert page(plan, "index").title == "Home"
    start = page(plan, "getting-started")
    assert start.template_fields == ["author", "published", "tags"]
    assert start.metadata == {"author": "42", "published": "2024-01-02", "tags": ["a", "b"]}
    assert page(plan, "notes/unicode-file").title == "Ünïcode File"
    conflict = next(f for f in plan.files if f.path == "guide/index.md")
    assert (conflict.status, conflict.code) == ("failed", "slug_conflict") and "guide.md" in conflict.reason
    assert page(plan, "guide").source_path == "guide.md"
    assert next(f for f in plan.files if f.path == "doc.txt").code == "not_markdown"
    assert plan.counts()["failed"] == 1

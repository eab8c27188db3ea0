"""Every error code the core can answer with, and what a model should do about it.

The codes of images, imports and git sync, ingestion and live voice are in modules of their own.

Rendered as the ``comstack://errors`` resource and appended (as "next step") to error results.
A test walks the core's source and fails when a code is missing here, so the catalogue stays whole.
"""

from __future__ import annotations

from . import backup, images, importing, ingestion, reader, voice
from .entry import ErrorInfo

_E = ErrorInfo

CATALOG: dict[str, ErrorInfo] = {
    # -- generic classes ----------------------------------------------------------------------------------
    "error": _E("An unclassified domain error.", "Read the message; it says what to change."),
    "invalid_input": _E("An argument is missing or malformed.", "Fix the argument named in the message and retry."),
    "forbidden": _E("The caller may not do this.", "Check whoami for your role; ask a project manager for access."),
    "not_found": _E("The thing named does not exist or is not visible to you.",
                    "List what exists (list-my-projects, list-pages) and use one of those ids."),
    "conflict": _E("The operation clashes with the current state.", "Reload the state and decide again."),
    "unauthenticated": _E("No valid credentials, or the user behind them is gone.",
                          "Reconnect: sign in again (OAuth) or use a valid API key with x-project-id."),
    "rate_limited": _E("Too many requests in the last minute.", "Wait for the Retry-After time, then retry once."),
    "payload_too_large": _E("The body is bigger than allowed (custom pages: 2 MB).",
                            "Shrink it: move large images to image uploads and link them."),
    "daily_quota_exceeded": _E("A per-day quota is used up.", "Try again tomorrow or upgrade the plan."),
    # -- identity and access ------------------------------------------------------------------------------
    "project_mismatch": _E("An API key was used on a project it does not belong to.",
                           "Pass the key's own project_id (whoami shows it) or use a key of the other project."),
    "project_not_found": _E("No such project, or you are not a member of it.",
                            "Call list-my-projects and use one of the ids it returns."),
    "role_too_low": _E("Your role on the project is below what the operation needs.",
                       "Tell the user which role is required; a project manager can change roles."),
    "read_only_scope": _E("The credential has only the comstack:read scope.",
                          "Only read. To change things the user must reconnect granting the 'comstack' scope."),
    "platform_admin_only": _E("Only an operator (platform admin) may do this.",
                              "Do not retry; ask the installation's operator."),
    "project_name_mismatch": _E("The project_name echo of a destructive call did not match the stored name.",
                                "Read the exact name from get-project-state (or ask the user) and repeat it."),
    "trial_expired": _E("The project's trial ended: writes and publishing are paused, reads work.",
                        "Tell the user to upgrade the plan to 'standard'."),
    "module_disabled": _E("The module the operation needs is switched off for the project.",
                          "A manager can enable it in the project's modules."),
    "module_not_allowed": _E("The project's template does not include this module.",
                             "A platform admin can assign a project template that allows it."),
    "quota_exceeded": _E("A plan quota (pages, locales, members, keys, ...) is reached.",
                         "Remove something or upgrade the plan."),
    "invalid_api_key": _E("The API key is malformed or unknown.", "Use a key exactly as it was shown at creation."),
    "revoked_api_key": _E("The API key was revoked.", "Ask a project manager for a new key."),
    "expired_api_key": _E("The API key expired.", "Ask a project manager for a new key."),
    "missing_project_id": _E("An API key was sent without x-project-id.", "Send the x-project-id header too."),
    "invalid_credentials": _E("Wrong email or password.", "Ask the user to sign in again."),
    "invalid_password": _E("A password is shorter than 8 or longer than 1,000 characters.",
                           "Choose a password of 8 to 1,000 characters."),
    "invalid_role": _E("Unknown role name.", "Use viewer, editor or manager."),
    "invalid_expiry": _E("A key expiry is not in the future.", "Give a future ISO 8601 time, or none."),
    "key_not_found": _E("No such API key in the project.", "List the project's keys and use one of their ids."),
    "user_not_found": _E("No such user.", "Check the email; the person may need an account first."),
    "user_exists": _E("A user with that email exists already.", "Use the existing account."),
    "invalid_email": _E("Not a valid email address.", "Fix the address."),
    "invalid_redirect_uri": _E("An OAuth client's redirect URI is not acceptable.",
                               "Register 1-10 https:// URIs (or http:// on a loopback address) of at most "
                               "2,000 characters, with no user part before the host."),
    "owner_required": _E("No owner was named for the new project.", "Create the project signed in as a user."),
    "feedback_quota_exceeded": _E("This caller sent the most feedback reports allowed in 24 hours.",
                                  "Do not retry now; continue the user's task and send later (retry_after)."),
    # -- projects and settings ----------------------------------------------------------------------------
    "slug_taken": _E("Another project uses that site slug.", "Choose another slug or omit it to derive one."),
    "invalid_locale": _E("Not a valid BCP-47 language tag.", "Use tags like 'en', 'de' or 'es-MX'."),
    "locale_config_drift": _E("A settings change would break the locale rules.",
                              "Read the listed violations and fix each (default locale in every module, ...)."),
    "default_locale_in_use": _E("The default locale cannot be removed while it is the default.",
                                "Change the default locale first."),
    "language_not_enabled": _E("The page's language is not enabled for its module.",
                               "Use an enabled language or ask a manager to add this one in the settings."),
    "invalid_settings": _E("A site setting is too long (2,000 characters each, 16 KB in all), or reader_mcp "
                           "is not true/false.", "Shorten it (long text belongs in pages); give reader_mcp as a "
                           "JSON boolean."),
    "unknown_module": _E("No module with that name.", "Use one of the module names the message lists."),
    "unknown_quota": _E("No quota with that name.", "Use one of the quota names the message lists."),
    "already_member": _E("The user is already a member.", "Change their role instead."),
    "member_not_found": _E("The user is not a member of the project.", "List the members first."),
    "last_manager": _E("A project must keep at least one manager.", "Promote someone else first."),
    "invalid_hostname": _E("Not a valid hostname.", "Give a hostname like 'docs.example.com'."),
    "domain_taken": _E("Another project uses the domain.", "Remove it there first."),
    "domain_not_found": _E("No such domain in the project.", "List the project's domains."),
    # -- pages --------------------------------------------------------------------------------------------
    "invalid_slug": _E("A slug breaks the slug rules.",
                       "Use lowercase a-z, 0-9 and '-' segments joined by '/', e.g. 'guides/intro'."),
    "page_not_found": _E("No page with that path or slug + language (on a published site: no live page there).",
                         "Call list-pages or search (search-docs) to find the page, then use its path or URL."),
    "url_taken": _E("Another page of the project would be published at the same URL.",
                    "Choose another slug, or change or delete the page the message names."),
    "page_exists": _E("A page with that slug and language exists already.",
                      "Edit it with update-page (the message gives its path) instead of creating it."),
    "version_not_found": _E("The page has no version of the kind asked for (e.g. not live yet).",
                            "Ask for the draft, or publish first."),
    "stale_version": _E("The page changed since the version you read.",
                        "Call get-page-content, reapply your change to the new content, save with the new version."),
    "missing_base_version": _E("base_version was not given for an existing page.",
                               "Pass the 'version' from get-page-content as base_version."),
    "missing_fields": _E("Required fields for a new page are missing.", "Give slug and title."),
    "missing_required_fields": _E("Required template fields are empty, so the draft cannot be approved.",
                                  "Fill the listed metadata fields with update-page, then approve again."),
    "invalid_metadata": _E("A metadata value has the wrong type for the page's template.",
                           "Read the template's fields (comstack://schema) and send the right types."),
    "template_fixed": _E("A page's doc template cannot change after creation.",
                         "Create a new page with the other template and delete the old one."),
    "no_draft": _E("The page has no draft to approve, withdraw or discard.", "Edit the page first."),
    "not_live": _E("Only a live page can be unpublished.", "Discard its draft instead."),
    "revision_not_found": _E("No revision with that number.", "Call list-page-revisions for the numbers."),
    "wrong_tool_knowledge_page": _E("Knowledge and custom pages use different tools.",
                                    "Knowledge pages: create-page / update-page. Custom HTML: upload-custom-page."),
    "empty_query": _E("The search query has no searchable words.", "Search for real words."),
    # -- custom pages -------------------------------------------------------------------------------------
    "invalid_custom_page": _E("The custom page's title or description is out of bounds.",
                              "Title 10-60 characters, description at least 50 (160 or fewer recommended)."),
    "faq_in_custom_page": _E("FAQ content was sent as a custom page.",
                             "Create a knowledge page with doc_template_id 'faq' instead."),
    "blocked_link_scheme": _E("The HTML has javascript:, data: or vbscript: links.",
                              "Remove those links (use https:// or site paths) and upload again."),
    "html_too_deep": _E("The HTML nests too deeply to check.", "Flatten the markup."),
    "invalid_body_format": _E("Unknown body format.", "Use 'html' or 'astro'."),
    "invalid_translation_markers": _E("Translation markers are malformed.",
                                      "Fix each numbered problem: keys, defaults, no nesting."),
    # -- templates ----------------------------------------------------------------------------------------
    "unknown_template": _E("The doc or project template is not available.",
                           "Use one listed by list-project-doc-templates (or the built-in project templates)."),
    "template_not_found": _E("No such template.", "Check the id against the templates that exist."),
    "template_exists": _E("A template with that id exists already.", "Update it, or choose another id."),
    "template_required": _E("This template is required by the product and cannot be deleted.", "Keep it."),
    "template_not_allowed": _E("The project's template does not allow that doc template.",
                               "Choose among the allowed ones the message lists."),
    "invalid_template": _E("The template definition is inconsistent.", "Fix the part the message names."),
    "invalid_template_id": _E("Template ids are lowercase letters, digits and '-'.", "Choose a valid id."),
    # -- site ---------------------------------------------------------------------------------------------
    "invalid_navigation": _E("A sidebar group or header item is malformed.",
                             "Fix the label, slug or URL the message names."),
    "invalid_icon": _E("Not a Material Symbols Rounded icon name.",
                       "Pick a name from comstack://icons (e.g. 'menu_book', 'help')."),
    "invalid_reorder": _E("A reorder did not list every id exactly once.", "Send every id once, in order."),
    "navigation_not_found": _E("No such navigation entry.", "Call get-navigation for the ids."),
    "invalid_theme": _E("A theme value is malformed.", "Colors are hex like #1a73e8; URLs https:// or site paths."),
    "low_contrast": _E(
        "The theme's text or link colour on its background is below the WCAG AA ratio (4.5:1); the message names "
        "each pair and its ratio.",
        "Pick a darker text or primary colour or a lighter background (or the reverse for dark), then update-theme.",
    ),
    # -- OAuth sign-in (REST door; listed so the catalogue is whole) ---------------------------------------
    "invalid_client": _E("The OAuth client is not registered.", "Reconnect the app so it registers again."),
    "invalid_grant": _E("An OAuth code or refresh token is unknown, expired, used or revoked.",
                        "Reconnect the app and sign in again."),
    "invalid_scope": _E("An OAuth scope is unknown.", "Ask for 'comstack' or 'comstack:read'."),
    "invalid_request": _E("An OAuth request is malformed: a PKCE code_challenge or code_verifier that RFC 7636 "
                          "does not allow.", "Use a 43-128 character verifier of A-Z a-z 0-9 - . _ ~ and its "
                          "S256 challenge; sign in again."),
    "invalid_client_metadata": _E("An OAuth client registration has a field over its bound.",
                                  "Keep client_name to 100 characters and other fields to 2,000 characters "
                                  "or 10 values."),
    "invalid_target": _E("The OAuth resource is not this server.", "Ask for a token for this server's /mcp."),
    "csrf_failed": _E("The sign-in form expired or did not come from the sign-in page.",
                      "Go back to the app and connect again."),
    "oauth_other_browser": _E("The sign-in was started in another browser.", "Connect again from one browser."),
    "oauth_request_expired": _E("The sign-in expired or was already answered.", "Go back to the app and connect again."),
    "unknown_user": _E("No ComStack account uses that email.", "Ask an administrator for an invitation."),
    "user_only": _E("Only a person's OAuth token can do this, not an API key.", "Sign in as the user."),
    # -- publishing ---------------------------------------------------------------------------------------
    "nothing_to_publish": _E("No approved draft is due and nothing else changed.",
                             "Approve drafts with set-page-status status=ready, then publish."),
    "invalid_token": _E("The confirmation token is unknown for this project.",
                        "Run publish (the dry run) again and confirm with the token it returns."),
    "token_used": _E("The confirmation token was already used.", "Run publish again for a new token."),
    "token_expired": _E("The confirmation token expired (it names its lifetime: 5 minutes unless configured).",
                        "Run publish again, show the new manifest, get the user's yes, confirm."),
    "manifest_drift": _E("The project changed between the dry run and the confirmation.",
                         "Run publish again and show the user the new manifest before confirming."),
    "site_check_failed": _E("The site this publish would deploy fails the pre-deploy check; no token was issued.",
                            "Fix every listed problem (links to pages that will not be live, missing images, "
                            "...), then run publish again."),
    "public_url_unknown": _E("No public URL is known for the installation's sites.",
                             "Start the server once (it records its URL) or pass --public-url / COMSTACK_PUBLIC_URL."),
    "publish_running": _E("Another publish is still running.", "Poll publish-status until it finishes."),
    "publish_not_found": _E("No such publish in the project.", "Call list-publish-history for the ids."),
    "not_revertable": _E("Only a succeeded publish can be reverted.", "Check publish-status first."),
    "not_latest_publish": _E("Only the latest publish can be reverted, with none running.",
                             "Revert the latest one, or publish the content you want."),
    "revert_window_passed": _E("The revert window after the publish has passed.",
                               "Restore revisions and publish the content you want instead."),
    # -- translations -------------------------------------------------------------------------------------
    "task_not_found": _E("No such translation task.", "Call list-translation-tasks for the open ones."),
    "task_closed": _E("The translation task is no longer open.", "List the open tasks again."),
    "task_stale": _E("The page of the translation task is no longer live at that version (its publish was "
                     "reverted or failed).", "List the open tasks again; the page's next publish opens a new one."),
    "missing_content": _E("The translation has no content.", "Send the translated Markdown in 'content'."),
    "missing_strings": _E("Some marked strings of a custom page were not translated.",
                          "Translate every listed key and submit again."),
    "unknown_strings": _E("The translation has string keys the page does not mark.",
                          "Send only the keys the task lists."),
}

for _area in (backup, images, importing, ingestion, reader, voice):
    CATALOG.update(_area.CODES)


def next_step(code: str) -> str | None:
    info = CATALOG.get(code)
    return info.next_step if info else None


def render_markdown() -> str:
    lines = [
        "# ComStack error codes",
        "",
        "Tool errors come back as results with `isError: true`; the text starts with the message, then",
        "`code:`, any details and a `next step:`. Protocol problems (an API key used on another project, an",
        "unknown tool) are JSON-RPC errors instead. `internal error, reference <id>` is a server bug: report",
        "the reference to the operator and do not retry in a loop.",
        "",
        "| code | meaning | what to do |",
        "|---|---|---|",
    ]
    lines += [f"| `{code}` | {info.meaning} | {info.next_step} |" for code, info in sorted(CATALOG.items())]
    return "\n".join(lines) + "\n"

#!/usr/bin/env sh
# Add ComStack to Claude Code with a project's API key (from `comstack serve --demo` or
# `comstack admin create-key`). To sign in as a person instead, drop the two --header options:
# Claude Code then discovers the OAuth server from the 401 and opens the sign-in page.
: "${COMSTACK_URL:=http://127.0.0.1:8787}"
: "${COMSTACK_API_KEY:?set COMSTACK_API_KEY}"
: "${COMSTACK_PROJECT_ID:?set COMSTACK_PROJECT_ID}"
claude mcp add --transport http comstack "$COMSTACK_URL/mcp" \
  --header "x-api-key: $COMSTACK_API_KEY" \
  --header "x-project-id: $COMSTACK_PROJECT_ID"

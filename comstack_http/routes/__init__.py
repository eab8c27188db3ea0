"""The REST door: ``rest_routes()`` builds every Starlette route from one table of ``RouteSpec``s.

Each handler parses (path parameters, query string into the core's schema model, JSON body into its
Input model), makes ONE service call with the caller's Principal, and answers JSON through the
declared output type. ``/openapi.json`` is generated from the same table, so the two cannot drift.

Decisions
---------
- Status codes: 201 for creates (projects, members, domains, keys, pages, sidebar groups, header items,
  templates); 204 with an empty body for every DELETE, including the soft ones (doc template) and key
  revocation; 200 for everything else, including upserts and Edit Mode calls (``edit/save`` with
  ``draft_id: "new"`` and ``upload-custom-page`` answer 200 with ``changed``).
- Inputs are strict: unknown body fields or query parameters, repeated query parameters, a body that is
  not a UTF-8 JSON object, and NaN/Infinity are all 400. An empty body is read as ``{}`` so optional-body
  routes (revision restore) need none. A body on a route that takes none is ignored.
- 401 comes before input checks: an unauthenticated call is told to authenticate, not to fix its body.
- DELETEs that need the name echo take ``project_name`` either as a JSON body or as a query parameter.
- ``GET .../docs/search`` takes ``?q=`` (the core's SearchQuery.query, aliased); it and the Edit Mode
  routes are declared before ``{path}`` routes; page paths contain no '/', so ``edit/...`` never clashes.
- PUT replaces a resource whole (omitted optional fields take their defaults); PATCH changes only the
  fields it gives (null or absent: unchanged), and an empty PATCH writes nothing. A PATCH whose resource
  has one changeable field (a member's role, a page's audience or status, an image's alt) requires it;
  a name echo or ``base_version`` stays required in a PATCH, being a precondition, not a change.
- Dict results of the core (draft discard, template assignment) are validated into small view models
  so they are documented; every answer is serialized through its declared type, and a mismatch is a
  logged 500 rather than silent drift from the OpenAPI document.
- The page preview is HTML with ``Content-Security-Policy: sandbox allow-scripts ...``: a custom page's
  scripts run as on the site but in an opaque origin, so they cannot call this API with the viewer's
  credentials. It is authenticated like every /api route.
- The OpenAPI document covers every route the app serves: the ``RouteSpec`` table (/api/* and the ops
  routes) and, described by hand in ``openapi_doors.py`` and ``openapi_oauth.py`` under the ``protocols``
  tag, the OAuth 2.1 endpoints (/.well-known/*, /oauth/*), /mcp (JSON-RPC), the published sites (/sites/*)
  and the voice page (/live/*). The OAuth endpoints keep RFC 6749's error shape (``{"error", "error_description"}``), which
  OAuth clients parse; everything else answers ``{"error", "code"}``.
- ``/healthz``, ``/readyz``, ``/metrics`` and ``/openapi.json`` need no credentials (probes and scrapers);
  restrict /metrics at the proxy if needed. Metrics are labelled by route template, per app registry.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from starlette.middleware import Middleware
from starlette.routing import Route

from . import (
    account,
    editing,
    feedback,
    image_uploads,
    images,
    imports,
    ingest,
    live,
    navigation,
    openapi,
    ops,
    pages,
    projects,
    publishing,
    state,
    templates,
)
from .spec import RouteSpec, to_route

__all__ = ["api_specs", "rest_routes", "route_specs"]


def api_specs() -> list[RouteSpec]:
    """The /api table. Order matters where paths overlap: fixed segments before ``{param}`` ones."""
    return [
        *account.specs(),
        *projects.specs(),
        *editing.specs(),
        *pages.specs(),
        *navigation.specs(),
        *state.specs(),
        *publishing.specs(),
        *templates.specs(),
        *feedback.specs(),
        *image_uploads.specs(),
        *images.specs(),
        *imports.specs(),
        *ingest.specs(),
        *live.specs(),
    ]


def route_specs(metrics: ops.RequestMetrics | None = None) -> list[RouteSpec]:
    """Every route this door serves: the API plus the ops routes (which need the app's metrics)."""
    metrics = metrics or ops.RequestMetrics()
    specs: list[RouteSpec] = api_specs()

    @cache
    def document(public_url: str) -> dict[str, Any]:
        return openapi.build_openapi(specs, public_url=public_url)

    specs.extend(ops.specs(metrics, document))
    return specs


def rest_routes() -> list[Route]:
    metrics = ops.RequestMetrics()  # one registry per app: rest_routes() is called once per create_app
    return [
        to_route(spec, [Middleware(ops.Instrument, metrics=metrics, route=spec.path)])
        for spec in route_specs(metrics)
    ]

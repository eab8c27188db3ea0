"""Use cases, one module per area; every public method takes the caller's Principal first. Publishing's
and OAuth's use cases live in their own packages (``comstack_core.publishing``, ``comstack_core.oauth``),
beside the machinery they drive.

Shared by the use cases: ``base`` (Context, Service, audit), ``access`` (who may do what in a project),
``page_store`` (page status rules, queries, revision writes, the search index) and ``page_read`` (one page
in one statement, the hottest read).
"""

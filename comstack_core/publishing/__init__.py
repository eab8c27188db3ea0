"""Publishing: from approved drafts to a live static site (SPEC §6), and hosting it.

- ``service``: the use cases: publish (the dry run), publish-confirm, publish-status, history, revert;
- ``manifest``: what a publish would change, and its digest; ``tokens``: the dry run's confirmation token;
- ``runner``: the job runner (claims, heartbeats, takeover, the steps in order); ``job``: a job's record;
- ``promotion``: due drafts made live, in batches; ``undo``: putting them back (failure, revert);
- ``build_input``: the builder's input read from the database; ``build``: building into a slot and the
  pre-deploy gate; ``deploy``: slots on disk and the atomic switch;
- ``hosting``: which deployment a project slug or custom domain serves.

The builder itself is ``comstack_core.site``, which knows nothing of the database.
"""

"""After the signature: what each side must do, what falls due, and who must be reminded.

- :mod:`~contractctl.obligations.schedule`: ``create_obligations`` (at the last
  signature, from the template's milestones), ``amend_obligations`` (an amendment in
  force), ``event_recorded`` (dates that waited for an event);
- :mod:`~contractctl.obligations.ledger`: ``list_obligations``, ``open_obligations``
  (open and due, with owner: for reminders and inboxes), ``add_obligation``,
  ``mark_done``, ``waive``;
- :mod:`~contractctl.obligations.payments`: ``add_payment``, ``contract_balance``,
  ``counterparty_balances``, ``payments_view``;
- :mod:`~contractctl.obligations.attachments`: ``attach``, ``attachments_view``;
- :mod:`~contractctl.obligations.progress`: ``execution`` (what `show` prints);
- :mod:`~contractctl.obligations.completion`: ``close`` (履行完毕);
- :mod:`~contractctl.obligations.permissions`: who may record what;
- :mod:`~contractctl.obligations.remind`: ``reminders``: expiries, renewal-notice
  deadlines, obligations and order steps due, and overdue approvals, read-only.
"""

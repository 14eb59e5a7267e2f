"""After the signature: what falls due, and who must be reminded.

- :mod:`~contractctl.obligations.remind`: ``reminders``: expiries, renewal-notice
  deadlines, payments and overdue approvals, read-only.
"""

"""Reminders that reach people: the personal inbox, and `notify` for cron.

The inbox (``inbox.py``) is what waits for one person, read from the store. Notifying
(``plan.py`` decides what each person and subscribed channel should be told,
``deliver.py`` sends it once, recording every attempt in the ``notifications`` table)
turns the same facts, the audit events since the last run and the deadlines that came
due into short messages sent by e-mail or by the robots of 钉钉, 企业微信 and 飞书
(``transports.py``), in the recipient's language (``messages.py``).
"""

"""The tables of what happens after the signature (schema v12, contractctl.store.schema):
obligations with milestones, owners and evidence; orders, their lines and steps;
payments and their allocation to obligations; attachments. Kept here so that the
migration list stays readable; the kinds and states are the ones the stages check.
"""

from __future__ import annotations

#: Obligation kinds: the imported ones, then a template's milestones (contractctl.obligations).
OBLIGATION_KINDS = (
    "expiry",
    "renewal_notice",
    "payment",
    "other",
    "deposit",
    "prepayment",
    "delivery",
    "acceptance",
    "balance",
    "retention",
    "warranty",
)
ORDER_STATES = (
    "created",
    "confirmed",
    "shipped",
    "delivered",
    "accepted",
    "invoiced",
    "paid",
    "closed",
    "cancelled",
)
ATTACHMENT_KINDS = ("invoice", "receipt", "delivery-note", "acceptance", "other")


def execution_schema() -> str:
    """The DDL of migration v12, before the contracts' status list is widened."""
    kinds = ", ".join(f"'{k}'" for k in OBLIGATION_KINDS)
    states = ", ".join(f"'{s}'" for s in ORDER_STATES)
    attachment_kinds = ", ".join(f"'{k}'" for k in ATTACHMENT_KINDS)
    return f"""
        CREATE TABLE obligations_v12 (
            id            INTEGER PRIMARY KEY,
            contract_id   TEXT NOT NULL REFERENCES contracts(id),
            kind          TEXT NOT NULL CHECK (kind IN ({kinds})),
            milestone     TEXT,
            party         TEXT NOT NULL DEFAULT 'company'
                          CHECK (party IN ('company', 'counterparty')),
            due_date      TEXT,
            after         TEXT,
            offset_n      INTEGER NOT NULL DEFAULT 0,
            offset_unit   TEXT NOT NULL DEFAULT 'days'
                          CHECK (offset_unit IN ('days', 'workdays', 'months')),
            expected_date TEXT,
            description   TEXT NOT NULL DEFAULT '',
            amount_minor  INTEGER,
            currency      TEXT,
            state         TEXT NOT NULL DEFAULT 'open'
                          CHECK (state IN ('open', 'done', 'waived', 'cancelled')),
            source        TEXT NOT NULL DEFAULT '',
            owner         TEXT,
            done_on       TEXT,
            done_by       TEXT,
            done_at       TEXT,
            note          TEXT NOT NULL DEFAULT '',
            evidence_sha  TEXT,
            created_at    TEXT NOT NULL,
            updated_at    TEXT,
            CHECK ((amount_minor IS NULL) = (currency IS NULL)),
            CHECK (due_date IS NOT NULL OR after IS NOT NULL)
        );
        INSERT INTO obligations_v12 (id, contract_id, kind, due_date, description,
            amount_minor, currency, state, source, created_at)
        SELECT id, contract_id, kind, due_date, description, amount_minor, currency, state,
            source, created_at FROM obligations;
        DROP TABLE obligations;
        ALTER TABLE obligations_v12 RENAME TO obligations;
        CREATE INDEX obligations_due ON obligations(state, due_date);
        CREATE INDEX obligations_contract ON obligations(contract_id);
        CREATE INDEX obligations_owner ON obligations(owner, state);
        CREATE TABLE orders (
            id           TEXT PRIMARY KEY,
            contract_id  TEXT NOT NULL REFERENCES contracts(id),
            n            INTEGER NOT NULL CHECK (n >= 1),
            state        TEXT NOT NULL CHECK (state IN ({states})),
            due_date     TEXT,
            amount_minor INTEGER NOT NULL,
            currency     TEXT NOT NULL,
            note         TEXT NOT NULL DEFAULT '',
            created_by   TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            updated_at   TEXT NOT NULL,
            UNIQUE (contract_id, n)
        );
        CREATE INDEX orders_state ON orders(state, due_date);
        CREATE TABLE order_lines (
            order_id     TEXT NOT NULL REFERENCES orders(id),
            item         INTEGER NOT NULL CHECK (item >= 1),
            name         TEXT NOT NULL,
            unit         TEXT NOT NULL DEFAULT '',
            quantity     TEXT NOT NULL,
            amount_minor INTEGER NOT NULL,
            currency     TEXT NOT NULL,
            PRIMARY KEY (order_id, item)
        );
        CREATE TABLE order_steps (
            order_id     TEXT NOT NULL REFERENCES orders(id),
            seq          INTEGER NOT NULL,
            state        TEXT NOT NULL CHECK (state IN ({states})),
            on_date      TEXT NOT NULL,
            note         TEXT NOT NULL DEFAULT '',
            evidence_sha TEXT,
            by           TEXT NOT NULL,
            at           TEXT NOT NULL,
            PRIMARY KEY (order_id, seq)
        );
        CREATE TABLE payments (
            id           INTEGER PRIMARY KEY,
            contract_id  TEXT NOT NULL REFERENCES contracts(id),
            direction    TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            currency     TEXT NOT NULL,
            paid_on      TEXT NOT NULL,
            reference    TEXT NOT NULL DEFAULT '',
            forced       INTEGER NOT NULL DEFAULT 0,
            evidence_sha TEXT,
            recorded_by  TEXT NOT NULL,
            recorded_at  TEXT NOT NULL
        );
        CREATE INDEX payments_contract ON payments(contract_id);
        CREATE TABLE payment_allocations (
            payment_id    INTEGER NOT NULL REFERENCES payments(id),
            obligation_id INTEGER NOT NULL REFERENCES obligations(id),
            amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
            PRIMARY KEY (payment_id, obligation_id)
        );
        CREATE TABLE attachments (
            id            INTEGER PRIMARY KEY,
            contract_id   TEXT NOT NULL REFERENCES contracts(id),
            kind          TEXT NOT NULL CHECK (kind IN ({attachment_kinds})),
            name          TEXT NOT NULL,
            sha256        TEXT NOT NULL,
            size          INTEGER NOT NULL,
            obligation_id INTEGER REFERENCES obligations(id),
            payment_id    INTEGER REFERENCES payments(id),
            order_id      TEXT REFERENCES orders(id),
            note          TEXT NOT NULL DEFAULT '',
            added_by      TEXT NOT NULL,
            added_at      TEXT NOT NULL
        );
        CREATE INDEX attachments_contract ON attachments(contract_id);
        """

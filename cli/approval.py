"""`contractctl submit/approve/reject/return/route` and `rules check/explain/test`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from contractctl.cli.context import AppContext, app_context
from contractctl.cli.output import emit_json, key_values, money_text, shown, table

from contractctl.dates import local_time_text

IdArg = Annotated[str, typer.Argument(metavar="ID", help="Contract id.")]


def submit_command(ctx: typer.Context, contract_id: IdArg) -> None:
    """Run the risk checks and approval rules, create the approval tasks: in_review."""
    from contractctl.approval.decide import flags_view, submit

    app = app_context(ctx)
    store = app.store()
    with store.transaction(app.user) as tx:
        view = submit(tx, contract_id)
    if app.json:
        emit_json({**view, "risk_flags": flags_view(store, contract_id.upper())})
        return
    typer.echo(contract_id.upper())
    app.note(
        f"Submitted via {', '.join(view['route_ids'])}: "
        + " -> ".join(s["name"] for s in view["stages"])
    )
    for flag in flags_view(store, contract_id.upper()):
        app.note(f"  risk [{flag['severity']}] {flag['message']}")


def _decision(ctx: typer.Context, contract_id: str, action: str, message: str) -> None:
    from contractctl.approval.decide import decide
    from contractctl.approval.signed_decisions import required

    app = app_context(ctx)
    store = app.store()
    ask: Callable[[], str] | None = None
    if required(store.home):  # [approval] signed = true: asked before the write lock
        from contractctl.cli.keys import passphrase

        app.user  # noqa: B018 - who decides is settled before the prompt
        secret = passphrase(confirm=False, prompt="Your key's passphrase")

        def asked() -> str:
            return secret

        ask = asked

    with store.transaction(app.user) as tx:
        view = decide(
            tx,
            contract_id,
            action,
            message,
            passphrase=ask,
        )
    status = store.conn.execute(
        "SELECT status FROM contracts WHERE id = ?", (contract_id.strip().upper(),)
    ).fetchone()
    if app.json:
        emit_json({**view, "status": status[0] if status else None})
        return
    typer.echo(status[0] if status else "")
    pending = [s for s in view["stages"] if s["state"] == "pending"]
    if pending:
        who = ", ".join(a["person"] for a in pending[0]["approvers"] if a["state"] == "pending")
        app.note(f"Next: stage {pending[0]['n']} ({pending[0]['name']}): {who}")


def approve_command(
    ctx: typer.Context,
    contract_id: IdArg,
    message: Annotated[str, typer.Option("-m", "--message", help="Comment.")] = "",
) -> None:
    """Approve the current stage (as its approver, or their delegate)."""
    _decision(ctx, contract_id, "approve", message)


def reject_command(
    ctx: typer.Context,
    contract_id: IdArg,
    message: Annotated[str, typer.Option("-m", "--message", help="Why (required).")] = "",
) -> None:
    """Reject the contract; final."""
    _decision(ctx, contract_id, "reject", message)


def return_command(
    ctx: typer.Context,
    contract_id: IdArg,
    message: Annotated[
        str, typer.Option("-m", "--message", help="What to change (required).")
    ] = "",
) -> None:
    """Return the contract to its drafter for changes; `submit` again starts a fresh route."""
    _decision(ctx, contract_id, "return", message)


def route_command(ctx: typer.Context, contract_id: IdArg) -> None:
    """The approval route: stages, who, state, due and overdue."""
    from contractctl.approval.decide import route_view

    app = app_context(ctx)
    view = route_view(app.store(), contract_id)
    if app.json:
        emit_json(view)
        return
    if not view["stages"]:
        from contractctl.i18n import translate

        typer.echo(translate(f"{contract_id.upper()} has not been submitted"))
        return
    app.out.print(
        f"route {', '.join(view['route_ids'])} ({view['state']}), rules {view['rules_version']}"
    )
    render_stages(app, view["stages"])


def render_stages(app: AppContext, stages: list[dict[str, Any]]) -> None:
    """Stages as a table, one row per approver."""
    rows = []
    for stage in stages:
        for index, approver in enumerate(stage["approvers"]):
            due = local_time_text(stage["due"])  # UTC stored; shown in the store's zone
            rows.append(
                (
                    f"{stage['n']}. {stage['name']} ({stage['mode']})" if index == 0 else "",
                    stage["state"] if index == 0 else "",
                    f"{due}{' OVERDUE' if stage['overdue'] else ''}" if index == 0 else "",
                    f"{approver['person']} ({approver['name']})",
                    approver["state"]
                    + (
                        f" by {approver['decided_by']}"
                        if approver["decided_by"] not in (None, approver["person"])
                        else ""
                    )
                    + (f", signed: {approver['signature']}" if approver.get("signature") else ""),
                    approver["comment"] or "",
                )
            )
    table(app, ["stage", "state", "due", "approver", "decision", "comment"], rows)


rules_app = typer.Typer(help="Approval rules: check, explain, test.", no_args_is_help=True)


@rules_app.command("check")
def rules_check(ctx: typer.Context) -> None:
    """Validate every rule file (approval, risk, people, tests); exit 1 on problems."""
    from contractctl.approval.decide import load_policy
    from contractctl.approval.rule_tests import run_rule_tests
    from contractctl.errors import CheckFailed, ConfigError

    app = app_context(ctx)
    home = app.home
    try:
        policy = load_policy(home)
        cases = run_rule_tests(policy.rules, home / "rules" / "tests")
    except ConfigError as exc:
        raise CheckFailed(exc.message, hint=exc.hint) from exc
    summary = {
        "ok": True,
        "routes": len(policy.rules.routes),
        "hit_policy": policy.rules.hit_policy,
        "people": len(policy.people.by_id),
        "cases": len(cases.results),
        "rules_version": policy.version,
    }
    if app.json:
        emit_json(summary)
    else:
        typer.echo(
            f"ok: {summary['routes']} routes (hit policy {summary['hit_policy']}), "
            f"{summary['people']} people, {summary['cases']} test cases; rules "
            f"version {summary['rules_version']}"
        )


@rules_app.command("explain")
def rules_explain(ctx: typer.Context, contract_id: IdArg) -> None:
    """Which routes match this contract, each condition with its value, and why others do not."""
    from contractctl.approval.decide import facts_for, load_policy, risk_flags_for
    from contractctl.approval.route_explain import explain
    from contractctl.records.contracts import get_contract

    app = app_context(ctx)
    store = app.store()
    contract = get_contract(store.conn, contract_id)
    policy = load_policy(store.home)
    facts = facts_for(store, contract, risk_flags_for(store, contract, policy))
    explanations = explain(policy.rules, facts)
    decision = policy.rules.decide(facts)
    if app.json:
        emit_json(
            {
                "id": contract.id,
                "hit_policy": policy.rules.hit_policy,
                "facts": facts.to_dict(),
                "routes": [e.to_dict() for e in explanations],
                "decision": decision.to_dict(),
                "rules_version": policy.version,
            }
        )
        return
    key_values(
        app,
        [
            ("contract", contract.id),
            ("type", facts.type),
            ("amount", money_text(facts.amount.to_dict() if facts.amount else None)),
            ("standard", facts.standard),
            ("counterparty risk", facts.counterparty_risk),
            ("department", facts.department or "(none)"),
            ("amendment", facts.amendment),
            ("risk flags", ", ".join(facts.risk_flags) or "none"),
        ],
    )
    for item in explanations:
        mark = "APPLIES" if item.applied else ("matches" if item.matched else "no")
        app.out.print(f"{mark:>8}  {item.route.id}: {item.route.description}")
        for condition, ok, value in item.checks:
            app.out.print(
                f"          {'✓' if ok else '✗'} {condition.describe()}  (is {shown(value)})"
            )
        if not item.checks:
            app.out.print("          ✓ no conditions: every contract")
    app.out.print(f"stages: {' -> '.join(s.label for s in decision.stages)}")


@rules_app.command("test")
def rules_test(ctx: typer.Context) -> None:
    """Run rules/tests/*.toml: expected routes and stages per case; exit 1 on any failure."""
    from contractctl.approval.decide import load_policy
    from contractctl.approval.rule_tests import run_rule_tests
    from contractctl.errors import CheckFailed

    app = app_context(ctx)
    policy = load_policy(app.home)
    report = run_rule_tests(policy.rules, app.home / "rules" / "tests")
    if app.json:
        emit_json(report.to_dict())
    else:
        for result in report.failed:
            app.out.print(f"FAIL {result.name} ({result.where})")
            app.out.print(
                f"     routes: expected {shown(result.expected_routes)}, "
                f"got {shown(result.actual_routes)}"
            )
            if result.expected_stages is not None:
                app.out.print(
                    f"     stages: expected {shown(result.expected_stages)}, "
                    f"got {shown(result.actual_stages)}"
                )
        for route in report.uncovered:
            app.out.print(f"uncovered: no case reaches route '{route}'")
        typer.echo(
            f"{len(report.results) - len(report.failed)} passed, {len(report.failed)} failed"
        )
    if report.failed:
        error = CheckFailed(f"{len(report.failed)} rule test case(s) failed")
        if app.json:
            raise typer.Exit(error.exit_code)
        raise error


def register(app: typer.Typer) -> None:
    """Attach the workflow commands and the rules group."""
    app.command("submit")(submit_command)
    app.command("approve")(approve_command)
    app.command("reject")(reject_command)
    app.command("return")(return_command)
    app.command("route")(route_command)
    app.add_typer(rules_app, name="rules")

"""`contractctl worker`: lend this machine's cores to a Dask scheduler's batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from contractctl.cli.context import app_context
from contractctl.cli.output import emit_json

if TYPE_CHECKING:
    from contractctl.doctor import Check


def worker_command(
    ctx: typer.Context,
    scheduler: Annotated[
        str,
        typer.Option(
            "--scheduler",
            envvar="CONTRACTCTL_CLUSTER",
            metavar="tcp://HOST:8786",
            help="The Dask scheduler to join (or set CONTRACTCTL_CLUSTER).",
            show_envvar=False,
        ),
    ],
    slots: Annotated[
        int | None,
        typer.Option("--slots", help="Calls run at once (default: one per core)."),
    ] = None,
    office: Annotated[
        bool,
        typer.Option(
            "--office/--no-office",
            help="Keep one warm LibreOffice per slot for conversions (draft-batch).",
        ),
    ] = True,
    name: Annotated[
        str | None, typer.Option("--name", help="Name in the scheduler (default: host-pid).")
    ] = None,
    connect_timeout: Annotated[
        float, typer.Option("--connect-timeout", help="Seconds to reach the scheduler.")
    ] = 30.0,
) -> None:
    """Join a Dask scheduler as a worker for import, ocr-check and draft-batch.

    The tools are checked first (Tesseract with chi_sim and eng, Poppler, the CJK fonts,
    LibreOffice unless --no-office); then one slot per core joins, each with a warm
    LibreOffice, Tesseract at one thread. Runs until Ctrl-C or SIGTERM; the calls in
    hand then run again on other workers.
    """
    from contractctl.cluster.worker import WorkerOptions, serve
    from contractctl.errors import EnvironmentProblem, InvalidInput
    from contractctl.ocr.pipeline import available_cpus

    app = app_context(ctx)
    if slots is not None and slots < 1:
        raise InvalidInput("--slots must be at least 1")
    count = slots or available_cpus()
    problems = [c for c in _checks(office) if not c.ok]
    if problems:
        first = problems[0]
        raise EnvironmentProblem(
            "this machine cannot be a worker: "
            + "; ".join(f"{c.name}: {c.detail}" for c in problems),
            hint=first.hint,
        )
    warm: dict[str, Callable[[], Any]] = {}
    if office:
        from functools import partial

        from contractctl.drafting.converter_pool import ConverterPool

        warm["office"] = partial(ConverterPool, 1)
    options = WorkerOptions(
        scheduler=scheduler, slots=count, name=name, connect_timeout=connect_timeout
    )
    if app.json:
        emit_json({"scheduler": scheduler, "slots": count, "office": office, "state": "joining"})
    app.note(
        f"Joining {scheduler} with {count} slot(s)"
        f"{', a warm LibreOffice each' if office else ''} (Ctrl-C or SIGTERM stops)"
    )
    status = serve(options, warm)
    app.note("Stopped; the calls in hand run again on other workers")
    if status:
        raise typer.Exit(status)


def _checks(office: bool) -> list[Check]:
    """The doctor's checks of what the calls use on this machine."""
    from contractctl import doctor

    checks = [*doctor.check_tesseract(), doctor.check_poppler(), doctor.check_cjk_fonts()]
    if office:
        checks.append(doctor.check_soffice())
    return checks


def register(app: typer.Typer) -> None:
    """Add worker to the root command."""
    app.command("worker")(worker_command)

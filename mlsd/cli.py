"""The ``mlsd`` command: list notebooks, run them with parameters, read their recorded results.

Exit status: 0 when everything ran, 1 when a notebook failed while executing, 2 when the command
was rejected before any kernel started (unknown target or parameter, wrong type, value not allowed).
``mlsd student`` starts no kernel: 0 when every student version was written, 2 otherwise.
``mlsd course init`` and ``collect`` start no kernel: 0 when the course or the submissions were
written, 2 otherwise. ``mlsd grade``: see :mod:`mlsd.grading.command`.
``mlsd explore`` and ``mlsd practice`` serve until interrupted: 0 then, 2 when the server cannot start.
``mlsd claims``: 0 when every claim held on every seed, 1 when one did not or a notebook failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from mlsd.startup import skip_iri_parser

skip_iri_parser()  # before anything imports nbformat

from mlsd.exercises import build_student_version  # noqa: E402
from mlsd.params import ParameterError
from mlsd.records import read_records
from mlsd.runs.catalog import NotebookInfo, default_root, resolve_targets
from mlsd.runs.execute import RunResult, execute_all
from mlsd.runs.plan import plan_runs, read_yaml_parameters
from mlsd.runs.refresh import refresh_all
from mlsd.runs.seeds import claims_table, run_over_seeds
from mlsd.runs.summary import format_table, write_summary
from mlsd.report.command import add_report_parser
from mlsd.grading.command import add_grade_parser
from mlsd.sweeps.command import add_sweep_parser

REJECTED, FAILED = 2, 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ParameterError as error:
        for line in str(error).splitlines():
            print(f"mlsd {args.command}: {line}", file=sys.stderr)
        return REJECTED
    except KeyboardInterrupt:
        print(f"mlsd {args.command}: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlsd", description="Run and inspect the notebooks of the mlsd kit.")
    parser.add_argument("--root", type=Path, default=None, help="the kit's top folder (default: the installed kit)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("list", help="show the notebooks and their parameters")
    listing.add_argument("targets", nargs="*", metavar="TARGET", help="notebook paths or case-study names (default: all)")
    listing.set_defaults(handler=command_list)

    run = commands.add_parser("run", help="execute notebooks headless with parameters")
    _add_targets(run)
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"), help="set a parameter (repeatable)")
    run.add_argument("-y", "--parameters-yaml", metavar="YAML", help="parameters as a YAML mapping, e.g. '{seed: 3}'")
    run.add_argument("-f", "--parameters-file", metavar="FILE", help="parameters from a YAML file")
    run.add_argument("--smallest", action="store_true", help="use each notebook's smallest sizes (quick checks)")
    run.add_argument("--out", type=Path, help="output folder (default: runs/<timestamp>/ in the kit)")
    run.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="notebooks to run at once (default 1)")
    run.add_argument("--timeout", type=float, default=600, metavar="SECONDS", help="time limit per cell (default 600)")
    run.set_defaults(handler=command_run)

    results = commands.add_parser("results", help="print the recorded results of executed notebooks")
    results.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="executed notebooks")
    results.add_argument("--json", action="store_true", help="print JSON instead of a table")
    results.set_defaults(handler=command_results)

    refresh = commands.add_parser("refresh", help="re-execute notebooks in place so their stored outputs match the code")
    _add_targets(refresh)
    refresh.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="notebooks to run at once")
    refresh.add_argument("--timeout", type=float, default=600, metavar="SECONDS", help="time limit per cell")
    refresh.set_defaults(handler=command_refresh)

    student = commands.add_parser("student", help="write the student version of exercise notebooks: solutions and outputs removed")
    _add_targets(student)
    student.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to write, under the same relative paths as in the kit")
    student.set_defaults(handler=command_student)

    course = commands.add_parser("course", help="the exercises as an nbgrader course, for a workshop")
    course_commands = course.add_subparsers(dest="course_command", required=True, metavar="STEP")
    course_init = course_commands.add_parser("init", help="write an nbgrader course folder: every exercise an assignment, with its student version")
    course_init.add_argument("directory", type=Path, metavar="DIR", help="the course folder to create (empty or new)")
    _add_targets(course_init)
    course_init.set_defaults(handler=command_course_init)
    collect = course_commands.add_parser("collect", help="copy a folder of files named by student (alice.ipynb) into submitted/STUDENT/ASSIGNMENT/")
    collect.add_argument("directory", type=Path, metavar="DIR", help="the course folder")
    collect.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment the files are for, e.g. 05_delivery_eta")
    collect.add_argument("folder", type=Path, metavar="FOLDER", help="the students' files, one per student, named by student id")
    collect.add_argument("--replace", action="store_true", help="replace a submission already collected with other content")
    collect.set_defaults(handler=command_course_collect)

    explore = commands.add_parser("explore", help="serve every explorer as a standalone web app (Voilà) on 127.0.0.1")
    explore.add_argument("--port", type=_positive_int, default=None, metavar="PORT", help="port to listen on (default: a free one)")
    explore.add_argument("--token", default=None, help="the token the URL must carry (default: a new random one)")
    explore.set_defaults(handler=command_explore)

    practice = commands.add_parser("practice", help="serve the interview practice app (Voilà) on 127.0.0.1: "
                                   "a prompt, a timer per phase, a design form and its review")
    practice.add_argument("--port", type=_positive_int, default=None, metavar="PORT", help="port to listen on (default: a free one)")
    practice.add_argument("--token", default=None, help="the token the URL must carry (default: a new random one)")
    practice.set_defaults(handler=command_practice)

    claims = commands.add_parser("claims", help="run the notebooks over several seeds and write which of their claims hold on each")
    _add_targets(claims)
    claims.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5], metavar="S", help="the seeds (default 1 2 3 4 5)")
    claims.add_argument("--out", type=Path, help="where the runs go (default: runs/claims/ in the kit)")
    claims.add_argument("--table", type=Path, help="the Markdown table to write (default: notebooks/CLAIMS.md in the kit)")
    claims.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="notebooks to run at once (default 1)")
    claims.add_argument("--timeout", type=float, default=600, metavar="SECONDS", help="time limit per cell (default 600)")
    claims.set_defaults(handler=command_claims)
    add_sweep_parser(commands, _root, _positive_int)
    add_grade_parser(commands, _positive_int)
    add_report_parser(commands)
    return parser


def command_list(args) -> int:
    root = _root(args)
    notebooks = resolve_targets(args.targets, not args.targets, root)
    print(describe_notebooks(notebooks))
    return 0


def describe_notebooks(notebooks: list[NotebookInfo]) -> str:
    """Each notebook followed by its parameters: name, type, default, help with the allowed values."""
    lines = []
    for notebook in notebooks:
        lines.append(notebook.name)
        if not notebook.parameters:
            lines.append("    (no parameters)")
        name_width = max((len(n) for n in notebook.parameters), default=0)
        for name, parameter in notebook.parameters.items():
            default = repr(parameter.default)
            lines.append(f"    {name:<{name_width}}  {parameter.type.__name__:<5}  {default:<12}  {parameter.help}")
        if notebook.smallest:
            preset = ", ".join(f"{k}={v!r}" for k, v in notebook.smallest.items())
            lines.append(f"    --smallest sets {preset}")
        if notebook.simulator_parameters:
            simulator = ", ".join(notebook.simulator_parameters)
            lines.append(f"    only the simulator uses {simulator}")
    return "\n".join(lines)


def command_run(args) -> int:
    root = _root(args)
    notebooks = resolve_targets(args.targets, args.all, root)
    typed = read_yaml_parameters(args.parameters_yaml, args.parameters_file)
    plan = plan_runs(notebooks, typed, [tuple(p) for p in args.parameter], smallest=args.smallest)
    requests = plan.requests
    for notice in plan.notices:
        print(f"mlsd run: {notice}", file=sys.stderr)
    simulator = {run.notebook.name: run.notebook.simulator_parameters for run in requests}
    out_dir = args.out or _timestamped_dir(root / "runs")
    out_dir.mkdir(parents=True, exist_ok=True)
    total = len(requests)
    print(f"mlsd run: {total} notebook{'s' * (total != 1)}, {args.jobs} at a time -> {out_dir}", file=sys.stderr)
    finished: list[RunResult] = []

    def started(index, request):
        print(f"[{index + 1}/{total}] started  {request.notebook.name}", file=sys.stderr, flush=True)

    def done(index, result):
        finished.append(result)
        write_summary(finished, out_dir / "summary.csv", simulator)
        outcome = f"{len(result.records)} records" if result.ok else result.error
        print(f"[{index + 1}/{total}] {result.status:<7}  {result.notebook}  {result.seconds:.1f} s  {outcome}", file=sys.stderr, flush=True)

    try:
        results = execute_all(requests, out_dir, args.jobs, args.timeout, started, done, progress_bar=sys.stderr.isatty())
    except KeyboardInterrupt:
        print(f"mlsd run: interrupted after {len(finished)} of {total} notebooks; their results are in {out_dir / 'summary.csv'}", file=sys.stderr)
        raise
    write_summary(results, out_dir / "summary.csv", simulator)
    print(format_table(results))
    print(f"summary: {out_dir / 'summary.csv'}")
    return FAILED if any(not r.ok for r in results) else 0


def command_results(args) -> int:
    try:
        found = {str(path): read_records(path) for path in args.paths}
    except ValueError as error:
        raise ParameterError(str(error)) from None
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    for path, records in found.items():
        print(path)
        width = max((len(name) for name in records), default=0)
        for name, value in records.items():
            print(f"    {name:<{width}}  {value!r}")
        if not records:
            print("    (no records)")
    return 0


def command_refresh(args) -> int:
    notebooks = resolve_targets(args.targets, args.all, _root(args))
    failures = refresh_all(notebooks, args.jobs, args.timeout, report=lambda line: print(line, file=sys.stderr, flush=True))
    return FAILED if failures else 0


def command_student(args) -> int:
    root = _root(args)
    exercises = [nb for nb in resolve_targets(args.targets, args.all, root) if nb.path.is_relative_to(root / "exercises")]
    if not exercises:
        raise ParameterError(f"no exercise notebook among the targets; exercises are the notebooks under {root / 'exercises'}")
    for notebook in exercises:
        destination = args.out / notebook.path.relative_to(root)
        try:
            build_student_version(notebook.path, destination)
        except ValueError as error:
            raise ParameterError(f"{notebook.name}: {error}") from None
        print(f"{notebook.name} -> {destination}")
    return 0


def command_course_init(args) -> int:
    from mlsd import course

    root = _root(args)
    targets = resolve_targets(args.targets, args.all or not args.targets, root)
    exercises = {nb.path.stem: nb.path for nb in targets if nb.path.is_relative_to(root / "exercises")}
    if not exercises:
        raise ParameterError(f"no exercise notebook among the targets; exercises are the notebooks under {root / 'exercises'}")
    try:
        course.init_course(args.directory, exercises)
    except ValueError as error:
        raise ParameterError(str(error)) from None
    for name in exercises:
        print(f"{name}: source/{name}/{name}.ipynb, students get release/{name}/{name}.ipynb")
    print(f"course {args.directory}: {len(exercises)} assignments; collect with `mlsd course collect`, grade with `mlsd grade {args.directory} NAME`")
    return 0


def command_course_collect(args) -> int:
    from mlsd.grading.collect import collect

    done = collect(args.directory, args.assignment, args.folder, args.replace)
    for label, students in (("new", done.new), ("replaced", done.replaced), ("unchanged", done.unchanged)):
        if students:
            print(f"{label}: {', '.join(students)}")
    print(f"{args.assignment}: {len(done.new) + len(done.replaced)} submissions written to {args.directory / 'submitted'}; grade with `mlsd grade {args.directory} {args.assignment}`")
    return 0


def command_explore(args) -> int:
    from mlsd.explore import app

    port, token = args.port or app.free_port(), args.token or app.new_token()
    try:
        return app.serve_gallery(_root(args), port, token)
    except (FileNotFoundError, RuntimeError) as error:
        raise ParameterError(str(error)) from None


def command_practice(args) -> int:
    from mlsd.explore import app

    port, token = args.port or app.free_port(), args.token or app.new_token()
    try:
        return app.serve_notebook(_root(args) / app.PRACTICE, "the interview practice app", port, token)
    except (FileNotFoundError, RuntimeError) as error:
        raise ParameterError(str(error)) from None


def command_claims(args) -> int:
    root = _root(args)
    notebooks = resolve_targets(args.targets, args.all or not args.targets, root)
    if any(seed < 0 for seed in args.seeds) or len(set(args.seeds)) != len(args.seeds):
        raise ParameterError(f"--seeds must be distinct integers >= 0; got {args.seeds}")
    out_dir = args.out or root / "runs" / "claims"
    table_path = args.table or root / "notebooks" / "CLAIMS.md"

    def report(line: str) -> None:
        print(f"mlsd claims: {line}", file=sys.stderr, flush=True)

    results = run_over_seeds(notebooks, args.seeds, out_dir, args.jobs, args.timeout, report)
    table, n_claims, holding = claims_table(results)
    seeds = " ".join(str(seed) for seed in args.seeds)
    table_path.write_text(
        "# Claims × seeds\n\n"
        "Every conclusion a notebook draws is a claim it computes (`mlsd.claim`). This table is written by\n"
        f"`make claims` (`mlsd claims --seeds {seeds}`): each notebook at its default sizes, once per seed;\n"
        "✓ where the claim held, ✗ where it did not.\n\n"
        f"**{holding} of {n_claims} claims hold on every seed.**\n\n" + table,
        encoding="utf-8",
    )
    failed = [r.notebook for runs in results.values() for r in runs if not r.ok]
    print(f"{holding} of {n_claims} claims hold on every seed; table: {table_path}")
    if failed:
        print(f"notebooks that failed: {', '.join(sorted(set(failed)))}")
    return FAILED if failed or holding < n_claims else 0


def _add_targets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="TARGET", help="notebook paths or case-study names")
    parser.add_argument("--all", action="store_true", help="every notebook and exercise of the kit")


def _root(args) -> Path:
    root = (args.root or default_root()).resolve()
    if not (root / "notebooks").is_dir():
        raise ParameterError(f"--root {root}: no notebooks/ folder there")
    return root


def _timestamped_dir(parent: Path) -> Path:
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    candidate, counter = parent / stamp, 2
    while candidate.exists():
        candidate, counter = parent / f"{stamp}-{counter}", counter + 1
    return candidate


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


if __name__ == "__main__":
    sys.exit(main())

"""The `sightline` console script.

Each command group lives in its own module and is registered on `main` here. Commands that need Django
(later issues) set it up lazily inside the command, so `sightline instruments ...` and `sightline score`
start fast and work without a database.
"""

from __future__ import annotations

import click

from sightline.cli.audit import audit
from sightline.cli.errors import CommandError
from sightline.cli.imports import export, import_
from sightline.cli.instruments import instruments
from sightline.cli.keys import keys
from sightline.cli.report import report
from sightline.cli.score import score
from sightline.cli.synth import synth
from sightline.cli.validate import validate

__all__ = ["CommandError", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sightline")
def main() -> None:
    """Sightline: screening with the CSE-IT."""


main.add_command(instruments)
main.add_command(score)
main.add_command(synth)
main.add_command(import_)
main.add_command(export)
main.add_command(audit)
main.add_command(keys)
main.add_command(validate)
main.add_command(report)

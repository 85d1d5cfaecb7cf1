from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepcert.core.errors import DomainError
from keepcert.program.services import load_program_file


class Command(BaseCommand):
    help = "Load or update a program file (TOML). Loading the same file twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            report = load_program_file(path=path)
        except DomainError as error:
            raise CommandError(error.message) from error
        when = f"{report.effective_from:%Y-%m-%d}"
        if report.created:
            self.stdout.write(f"Loaded {report.program}: new rule set from {when}.")
        elif report.changes:
            self.stdout.write(f"Updated {report.program} rules from {when}:")
            for change in report.changes:
                self.stdout.write(f"  {change}")
        else:
            self.stdout.write(f"{report.program} rules from {when} are up to date.")

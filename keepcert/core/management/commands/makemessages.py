"""Django's makemessages, without fuzzy guesses: a new string is left untranslated (which
`scripts/check-translations` reports) instead of being given a similar string's Spanish."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

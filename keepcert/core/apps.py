from django.apps import AppConfig
from django.utils import translation


class _DjangoTranslator:
    """The rules core's sentences in the language Django has activated for this request
    (the member's choice, else the browser's)."""

    def gettext(self, message: str) -> str:
        return translation.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return translation.ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return translation.pgettext(context, message)


class CoreConfig(AppConfig):
    name = "keepcert.core"
    label = "core"

    def ready(self) -> None:
        from keepcert.rules import text

        text.use_translator(_DjangoTranslator())

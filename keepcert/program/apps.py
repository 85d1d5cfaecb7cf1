from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "keepcert.program"
    label = "program"

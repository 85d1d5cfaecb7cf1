from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keepcert.core"
    label = "core"

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "keepcert.api"
    label = "api"

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "keepcert.portal"
    label = "portal"

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "keepcert.members"
    label = "members"

from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "keepcert.members"
    label = "members"

    def ready(self) -> None:
        from keepcert.members import language  # noqa: F401  (connects the sign-in receiver)

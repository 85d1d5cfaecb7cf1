from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "keepcert.activities"
    label = "activities"

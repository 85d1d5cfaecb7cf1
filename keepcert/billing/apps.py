from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "keepcert.billing"
    label = "billing"

from django.apps import AppConfig


class CertificationsConfig(AppConfig):
    name = "keepcert.certifications"
    label = "certifications"

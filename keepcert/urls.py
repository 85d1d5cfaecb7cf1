from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from keepcert.api.urls import api

# Staff sign in through allauth (with its MFA step and axes lockout), never through
# the admin's own password form.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "KeepCert staff"
admin.site.site_title = "KeepCert staff"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("", include("keepcert.portal.urls")),
]

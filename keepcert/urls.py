from django.contrib import admin
from django.urls import include, path

from keepcert.api.urls import api

urlpatterns = [
    # StaffAdminSite: every page behind staff_required, sign-in through allauth only.
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("", include("keepcert.portal.urls")),
]

# A failure before any view ran (in a middleware) still answers JSON under /api/.
handler500 = "keepcert.api.errors.server_error"

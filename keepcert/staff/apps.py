from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """The admin app, with `StaffAdminSite` as `admin.site`."""

    default_site = "keepcert.staff.admin_site.StaffAdminSite"

from django.urls import path

from keepcert.portal import invoices, language, offline_gateway, views, webhooks

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("claim/", views.claim, name="claim"),
    path("language/", language.set_language, name="set_language"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("cycles/<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/cycle-choices/", views.activity_cycles, name="activity_cycles"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path(
        "activities/<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "activities/<int:pk>/evidence/<int:evidence_pk>/remove/",
        views.evidence_remove,
        name="evidence_remove",
    ),
    path("invoices/", invoices.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pay/", invoices.invoice_pay, name="invoice_pay"),
    path(
        "pay/test/<str:session_id>/",
        offline_gateway.offline_payment_page,
        name="offline_payment_page",
    ),
    path("webhooks/stripe/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("profile/", views.profile, name="profile"),
    path("profile/contact/", views.contact_change, name="contact_change"),
    path("profile/email/cancel/", views.email_change_cancel, name="email_change_cancel"),
    path(
        "profile/email/confirm/<str:token>/",
        views.email_change_confirm,
        name="email_change_confirm",
    ),
    path("profile/name/", views.name_change, name="name_change"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("profile/tokens/revoke-all/", views.token_revoke_all, name="token_revoke_all"),
]

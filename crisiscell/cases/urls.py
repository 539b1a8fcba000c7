from django.urls import path

from crisiscell.cases import views

app_name = "cases"

urlpatterns = [
    path("cells/<str:cell_code>/cases/", views.case_list, name="list"),
    path("cells/<str:cell_code>/intake/", views.intake, name="intake"),
    path("cells/<str:cell_code>/intake/<uuid:draft_id>/", views.intake, name="intake_draft"),
    path(
        "cells/<str:cell_code>/intake/<uuid:draft_id>/discard/",
        views.intake_discard,
        name="intake_discard",
    ),
    path("cases/<str:code>/", views.case_detail, name="detail"),
    path("cases/<str:code>/edit/", views.case_edit, name="edit"),
    path("cases/<str:code>/consents/", views.consent_add, name="consent_add"),
    path(
        "cases/<str:code>/consents/<uuid:consent_id>/revoke/",
        views.consent_revoke,
        name="consent_revoke",
    ),
]

from django.urls import path

from crisiscell.cases import board_views, views

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
    path("cells/<str:cell_code>/board/", board_views.board_page, name="board"),
    path("cells/<str:cell_code>/board/rows/", board_views.board_rows, name="board_rows"),
    path("network/board/", board_views.national_board, name="national_board"),
    path("rules/", board_views.rules_page, name="rules"),
    path("tasks/take/", board_views.task_take, name="task_take"),
    path("tasks/<uuid:task_id>/close/", board_views.task_close, name="task_close"),
    path("cases/<str:code>/clocks/", board_views.clock_resolve, name="clock_resolve"),
    path("cases/<str:code>/contact/", board_views.contact_attempt, name="contact_attempt"),
    path("alerts/", board_views.alerts_page, name="alerts"),
    path("alerts/read/", board_views.alerts_read, name="alerts_read"),
]

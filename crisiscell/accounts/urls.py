from django.contrib.auth import views as auth_views
from django.urls import path

from crisiscell.access.decorators import public
from crisiscell.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("invitation/<str:token>/", views.invitation_open, name="invitation_open"),
    path("invitation-password/", views.invitation_password, name="invitation_password"),
    path("invitation-enrol/", views.invitation_enrol, name="invitation_enrol"),
    path("password-reset/", public(views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "password-reset/sent/",
        public(auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        public(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        public(auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")),
        name="password_reset_complete",
    ),
]

staff_urlpatterns = [
    path("cells/<str:cell_code>/staff/", views.staff_list, name="list"),
    path("cells/<str:cell_code>/staff/invite/", views.staff_invite, name="invite"),
    path("cells/<str:cell_code>/staff/<uuid:membership_id>/", views.staff_detail, name="detail"),
    path(
        "cells/<str:cell_code>/staff/<uuid:membership_id>/role/",
        views.staff_change_role,
        name="change_role",
    ),
    path(
        "cells/<str:cell_code>/staff/<uuid:membership_id>/deactivate/",
        views.staff_deactivate,
        name="deactivate",
    ),
    path(
        "cells/<str:cell_code>/staff/<uuid:membership_id>/reinvite/",
        views.staff_reinvite,
        name="reinvite",
    ),
]

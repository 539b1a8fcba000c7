"""The duty roster of each cell."""

from django.urls import path

from crisiscell.cells import views

app_name = "cells"

urlpatterns = [
    path("cells/<str:cell_code>/roster/", views.roster, name="roster"),
    path("cells/<str:cell_code>/roster/shifts/", views.shift_create, name="shift_create"),
    path("cells/<str:cell_code>/roster/standard-shifts/", views.shift_week, name="shift_week"),
    path("cells/<str:cell_code>/roster/shifts/<uuid:shift_id>/delete/", views.shift_delete, name="shift_delete"),
    path("cells/<str:cell_code>/roster/shifts/<uuid:shift_id>/assign/", views.assignment_add, name="assignment_add"),
    path(
        "cells/<str:cell_code>/roster/assignments/<uuid:assignment_id>/remove/",
        views.assignment_remove,
        name="assignment_remove",
    ),
]

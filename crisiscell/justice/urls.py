from django.urls import path

from crisiscell.justice import views

app_name = "justice"

urlpatterns = [
    path("cases/<str:code>/justice/", views.page, name="page"),
    path("cases/<str:code>/justice/statements/", views.statement_record, name="statement_record"),
    path("cases/<str:code>/justice/statements/<uuid:statement_id>/", views.statement, name="statement"),
    path("cases/<str:code>/justice/fir-draft/", views.fir_draft, name="fir_draft"),
    path("cases/<str:code>/justice/jop-draft/", views.jop_draft, name="jop_draft"),
    path("cases/<str:code>/justice/refusal/", views.refusal_record, name="refusal_record"),
    path("cases/<str:code>/justice/fir/", views.fir_record, name="fir_record"),
    path("cases/<str:code>/justice/police/", views.police_update, name="police_update"),
    path("cases/<str:code>/justice/transfer/", views.transfer, name="transfer"),
    path("cases/<str:code>/justice/arrests/", views.arrest_add, name="arrest_add"),
    path("cases/<str:code>/justice/s164/request/", views.s164_request, name="s164_request"),
    path("cases/<str:code>/justice/s164/", views.s164_record, name="s164_record"),
    path("cases/<str:code>/justice/court/", views.court_open, name="court_open"),
    path("cases/<str:code>/justice/court/conduct/", views.court_conduct, name="court_conduct"),
    path("cases/<str:code>/justice/hearings/", views.hearing_add, name="hearing_add"),
    path("cases/<str:code>/justice/judgment/", views.judgment, name="judgment"),
    path("cases/<str:code>/justice/compromise/", views.compromise, name="compromise"),
    path("cases/<str:code>/justice/appeals/", views.appeal_add, name="appeal_add"),
    path("appeals/<uuid:appeal_id>/decide/", views.appeal_decide, name="appeal_decide"),
    path("cases/<str:code>/justice/legal-aid/", views.aid_apply, name="aid_apply"),
    path("cases/<str:code>/justice/legal-aid/decline/", views.aid_decline, name="aid_decline"),
    path("cases/<str:code>/justice/legal-aid/decision/", views.aid_decide, name="aid_decide"),
    path("cases/<str:code>/justice/legal-aid/assign/", views.aid_assign, name="aid_assign"),
    path("cells/<str:cell_code>/legal-aid-panel/", views.panel, name="panel"),
]

from django.urls import path

from crisiscell.evidence import views

app_name = "evidence"

urlpatterns = [
    path("cases/<str:code>/evidence/", views.case_evidence, name="case"),
    path("cases/<str:code>/evidence/register/", views.item_register, name="register"),
    path("cases/<str:code>/evidence/labels/", views.labels, name="labels"),
    path("cases/<str:code>/evidence/laboratory/", views.lab_submit, name="lab_submit"),
    path("cases/<str:code>/evidence/court-bundle/", views.court_bundle, name="court_bundle"),
    path("evidence/items/<str:human_id>/", views.item_detail, name="item"),
    path("evidence/items/<str:human_id>/seal/", views.item_seal, name="seal"),
    path("evidence/items/<str:human_id>/store/", views.item_store, name="store"),
    path("evidence/items/<str:human_id>/status/", views.item_status, name="status"),
    path("evidence/items/<str:human_id>/hand-over/", views.item_handover, name="handover"),
    path("evidence/items/<str:human_id>/hand-over-outside/", views.item_handover_external, name="handover_external"),
    path("evidence/hand-overs/", views.handovers, name="handovers"),
    path("evidence/custody/<uuid:event_id>/confirm/", views.handover_confirm, name="handover_confirm"),
    path("evidence/custody/<uuid:event_id>/cancel/", views.handover_cancel, name="handover_cancel"),
    path("evidence/custody/<uuid:event_id>/receipt/", views.receipt, name="receipt"),
    path("evidence/laboratory/<uuid:submission_id>/received/", views.lab_received, name="lab_received"),
    path("evidence/laboratory/<uuid:submission_id>/result/", views.lab_result, name="lab_result"),
    path("evidence/laboratory/<uuid:submission_id>/result/download/", views.lab_result_download, name="lab_download"),
]

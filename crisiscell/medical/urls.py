from django.urls import path

from crisiscell.medical import views

app_name = "medical"

urlpatterns = [
    path("cases/<str:code>/medical/", views.case_page, name="case"),
    path("cases/<str:code>/medical/start/", views.start, name="start"),
    path("medical/examinations/<uuid:examination_id>/", views.examination, name="examination"),
    path("medical/examinations/<uuid:examination_id>/record/", views.record, name="record"),
    path("medical/examinations/<uuid:examination_id>/findings/", views.findings, name="findings"),
    path("medical/examinations/<uuid:examination_id>/injuries/", views.injury, name="injury"),
    path("medical/injuries/<uuid:injury_id>/remove/", views.injury_remove, name="injury_remove"),
    path("medical/examinations/<uuid:examination_id>/samples/", views.sample, name="sample"),
    path(
        "medical/examinations/<uuid:examination_id>/samples/<uuid:item_id>/unlink/",
        views.sample_unlink,
        name="sample_unlink",
    ),
    path("medical/examinations/<uuid:examination_id>/treatments/", views.treatment, name="treatment"),
    path("medical/examinations/<uuid:examination_id>/opinion/", views.opinion, name="opinion"),
    path("medical/opinion/<uuid:item_id>/remove/", views.opinion_remove, name="opinion_remove"),
    path("medical/examinations/<uuid:examination_id>/sign/", views.sign, name="sign"),
    path("medical/examinations/<uuid:examination_id>/addenda/", views.addendum, name="addendum"),
    path("medical/examinations/<uuid:examination_id>/certificate/", views.certificate, name="certificate"),
]

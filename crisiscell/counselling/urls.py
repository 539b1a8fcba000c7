from django.urls import path

from crisiscell.counselling import views

app_name = "counselling"

urlpatterns = [
    path("cells/<str:cell_code>/counselling/", views.home, name="home"),
    path("cases/<str:code>/counselling/", views.case_page, name="case"),
    path("cases/<str:code>/counselling/book/", views.book, name="book"),
    path("cases/<str:code>/counselling/first-aid/", views.first_aid, name="first_aid"),
    path("cases/<str:code>/counselling/decline/", views.decline, name="decline"),
    path("cases/<str:code>/counselling/measures/<str:instrument>/", views.measure, name="measure"),
    path("cases/<str:code>/counselling/risk/", views.risk, name="risk"),
    path("cases/<str:code>/counselling/safety-plan/", views.safety_plan, name="safety_plan"),
    path("cases/<str:code>/counselling/safety-plan/pdf/", views.safety_plan_pdf, name="safety_plan_pdf"),
    path("cases/<str:code>/counselling/plan/", views.plan, name="plan"),
    path("cases/<str:code>/counselling/close/", views.close, name="close"),
    path("cases/<str:code>/counselling/break-glass/", views.break_glass, name="break_glass"),
    path("cases/<str:code>/counselling/child-protection/", views.child_protection, name="child_protection"),
    path("counselling/sessions/<uuid:session_id>/record/", views.session_record, name="session_record"),
    path("counselling/sessions/<uuid:session_id>/note/", views.note, name="note"),
    path("counselling/sessions/<uuid:session_id>/contact/", views.missed_contact, name="missed_contact"),
    path("counselling/notices/<int:notice_id>/seen/", views.notice_seen, name="notice_seen"),
]

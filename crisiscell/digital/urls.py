from django.urls import path

from crisiscell.digital import views

app_name = "digital"

urlpatterns = [
    path("cases/<str:code>/digital/", views.case_digital, name="case"),
    path("cases/<str:code>/digital/upload/", views.upload, name="upload"),
    path("cases/<str:code>/digital/timeline/", views.timeline, name="timeline"),
    path("cases/<str:code>/digital/ncii/", views.ncii_record, name="ncii_record"),
    path("cases/<str:code>/digital/nccia-pack/", views.pack_issue, name="pack_issue"),
    path("digital/sources/<uuid:source_id>/", views.source, name="source"),
    path("digital/sources/<uuid:source_id>/timezone/", views.source_timezone, name="source_timezone"),
    path("digital/sources/<uuid:source_id>/date-order/", views.source_date_order, name="source_date_order"),
    path("digital/sources/<uuid:source_id>/intimate/", views.mark_intimate, name="mark_intimate"),
    path("digital/sources/<uuid:source_id>/image/", views.image, name="image"),
    path("digital/sources/<uuid:source_id>/unblur/", views.unblur, name="unblur"),
    path("digital/messages/<int:message_id>/exhibit/", views.exhibit_pin, name="exhibit_pin"),
    path("digital/packs/<int:disclosure_id>/", views.pack_download, name="pack_download"),
    path("statistics/repeat-identifiers/", views.repeat_statistics, name="repeat_statistics"),
    path("help/digital-evidence/", views.public_help, name="public_help"),
]

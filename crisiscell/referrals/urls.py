from django.urls import path

from crisiscell.referrals import views

app_name = "referrals"

urlpatterns = [
    path("cases/<str:code>/referrals/", views.referral_create, name="referral_create"),
    path("referrals/<uuid:referral_id>/status/", views.referral_transition, name="referral_transition"),
    path("cases/<str:code>/transfer/", views.transfer_request, name="transfer_request"),
    path("cells/<str:cell_code>/transfers/", views.transfer_list, name="transfer_list"),
    path("transfers/<uuid:transfer_id>/", views.transferred_out, name="transferred_out"),
    path("transfers/<uuid:transfer_id>/review/", views.transfer_review, name="transfer_review"),
    path("transfers/<uuid:transfer_id>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<uuid:transfer_id>/decline/", views.transfer_decline, name="transfer_decline"),
]

"""Every URL of crisiscell. Each view carries its access declaration (see crisiscell.access)."""

from django.urls import include, path
from django.views.i18n import set_language

from crisiscell.access.decorators import public
from crisiscell.accounts.urls import staff_urlpatterns

urlpatterns = [
    path("", include("crisiscell.core.urls")),
    path("accounts/", include("crisiscell.accounts.urls")),
    path("", include((staff_urlpatterns, "staff"))),
    path("", include("crisiscell.cases.urls")),
    path("", include("crisiscell.cells.urls")),
    path("", include("crisiscell.referrals.urls")),
    path("", include("crisiscell.counselling.urls")),
    path("", include("crisiscell.medical.urls")),
    path("", include("crisiscell.digital.urls")),
    path("", include("crisiscell.justice.urls")),
    path("api/", include("crisiscell.api.urls")),
    path("", include("crisiscell.evidence.urls")),
    path("audit/", include("crisiscell.audit.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
]

handler400 = "crisiscell.core.errors.bad_request"
handler403 = "crisiscell.core.errors.permission_denied"
handler404 = "crisiscell.core.errors.page_not_found"
handler500 = "crisiscell.core.errors.server_error"

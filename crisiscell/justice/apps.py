from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JusticeConfig(AppConfig):
    name = "crisiscell.justice"
    label = "justice"
    verbose_name = _("Police and courts")

    def ready(self) -> None:
        from crisiscell.cases.board import register_fact_source
        from crisiscell.justice.selectors import justice_facts

        register_fact_source(justice_facts)

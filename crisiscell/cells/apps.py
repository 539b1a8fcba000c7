from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CellsConfig(AppConfig):
    name = "crisiscell.cells"
    label = "cells"
    verbose_name = _("Cells")

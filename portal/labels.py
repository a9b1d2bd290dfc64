"""Labels of the portal's own classifications, shared by the public pages and the back-office."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The themes of `portal.domain.application.THEMES`.
THEME_LABELS = {
    "inclusione": _l("Inclusione sociale"),
    "cultura": _l("Cultura e creatività"),
    "ambiente": _l("Ambiente e verde urbano"),
    "sport": _l("Sport e benessere"),
    "educazione": _l("Educazione e giovani"),
    "anziani": _l("Anziani e cura"),
    "lavoro": _l("Lavoro e economia di quartiere"),
    "rigenerazione": _l("Rigenerazione di spazi"),
}

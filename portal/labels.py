"""Words for the portal's codes, shared by the public pages, the applicants' area, the back-office,
the transparency pages and e-mails: one home for each label, so that no blueprint imports another."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.domain.aftercare import MilestoneState, MilestoneStatus
from portal.domain.application import ApplicationStatus
from portal.domain.campaign import CampaignState
from portal.domain.pledge import PaymentMethod
from portal.domain.readiness import Check, Item
from portal.domain.tax_relief import FiscalStatus
from portal.i18n import words_list

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

# The categories of a budget line (`portal.domain.application.BUDGET_CATEGORIES`).
CATEGORY_LABELS = {
    "personale": _l("Personale"),
    "attrezzature": _l("Attrezzature e materiali"),
    "servizi": _l("Servizi e consulenze"),
    "spazi": _l("Spazi e allestimenti"),
    "comunicazione": _l("Comunicazione"),
    "altro": _l("Altro"),
}

# The legal forms of `portal.domain.eligibility.LEGAL_FORMS`.
LEGAL_FORM_LABELS = {
    "associazione": _l("Associazione"),
    "fondazione": _l("Fondazione"),
    "impresa_sociale": _l("Impresa sociale (anche cooperativa sociale)"),
    "societa": _l("Società o impresa commerciale"),
    "ente_pubblico": _l("Ente pubblico"),
    "persona_fisica": _l("Persona fisica o gruppo informale"),
    "altro": _l("Altro"),
}

APPLICATION_STATUS_LABELS = {
    ApplicationStatus.DRAFT: _l("Bozza"),
    ApplicationStatus.SUBMITTED: _l("Inviata"),
    ApplicationStatus.IN_EVALUATION: _l("In valutazione"),
    ApplicationStatus.SELECTED: _l("Selezionata"),
    ApplicationStatus.NOT_SELECTED: _l("Non selezionata"),
    ApplicationStatus.WITHDRAWN: _l("Ritirata"),
}

# The sections of an application (`portal.domain.application.SECTIONS`), as the form's steps are titled.
SECTION_TITLES = {
    "progetto": _l("Il progetto"),
    "tempi": _l("Tempi"),
    "budget": _l("Budget"),
    "campagna": _l("Piano della campagna"),
    "allegati": _l("Allegati"),
}

# A campaign's state, on the gallery, the campaign page, the tracker and in open data.
CAMPAIGN_STATE_LABELS = {
    CampaignState.UPCOMING: _l("In arrivo"),
    CampaignState.LIVE: _l("In corso"),
    CampaignState.COFUNDED: _l("Cofinanziata: soglia raggiunta"),
    CampaignState.SUCCEEDED: _l("Conclusa con successo"),
    CampaignState.NOT_FUNDED: _l("Non finanziata"),
}

# An organisation's fiscal status (`portal.domain.tax_relief.FiscalStatus`): its profile, the
# back-office and the receipts.
FISCAL_STATUS_LABELS = {
    FiscalStatus.ETS_RUNTS: _l("Ente del Terzo Settore iscritto al RUNTS"),
    FiscalStatus.ONLUS: _l("ONLUS iscritta all'Anagrafe delle ONLUS"),
    FiscalStatus.ODV: _l("Organizzazione di volontariato (ODV) iscritta al suo registro"),
    FiscalStatus.APS: _l("Associazione di promozione sociale (APS) iscritta al suo registro"),
    FiscalStatus.OTHER: _l("Nessuna di queste qualifiche"),
}

# How a supporter chose to pay (`portal.domain.pledge.PaymentMethod`): receipts and pledge pages.
PAYMENT_METHOD_LABELS = {
    PaymentMethod.BANK_TRANSFER: _l("Bonifico bancario"),
    PaymentMethod.CARD: _l("Carta di pagamento"),
}


# The checklist of a campaign being prepared (`portal.domain.readiness.Item`): the checklist, the
# refusal to publish below the minimum, the coach's and staff's pages.
READINESS_ITEM_LABELS = {
    Item.STORY: _l("Storia"),
    Item.COVER: _l("Foto di copertina"),
    Item.VIDEO: _l("Video"),
    Item.REWARDS: _l("Ricompense"),
    Item.TEAM: _l("Team"),
    Item.FIRST_SUPPORTERS: _l("Primi sostenitori"),
    Item.UPDATES_PLAN: _l("Piano degli aggiornamenti"),
}


def readiness_item_label(item: Item | str) -> str:
    """An item's name, from the item or its code (as a refusal carries it)."""
    if isinstance(item, str):
        item = next((each for each in Item if each.code == item), None)  # type: ignore[assignment]
        if item is None:
            return ""
    return str(READINESS_ITEM_LABELS[item])


def readiness_missing_words(items) -> str:
    """The missing items ("Storia e Team"), from the items or their codes (as a refusal carries
    them), named as the checklist names them."""
    return words_list([readiness_item_label(item) for item in items])


def readiness_progress(check: Check) -> str:
    """How far the draft is on one item: "120 parole su 300", "2 persone su 3", "caricata"."""
    have, needed = check.have, check.needed
    match check.item:
        case Item.STORY:
            return ngettext("%(num)d parola su %(needed)d", "%(num)d parole su %(needed)d", have, needed=needed)
        case Item.COVER:
            return _("caricata") if check.met else _("non ancora caricata")
        case Item.VIDEO:
            return _("collegato") if check.met else _("non ancora collegato")
        case Item.REWARDS:
            return ngettext("%(num)d ricompensa su %(needed)d", "%(num)d ricompense su %(needed)d", have, needed=needed)
        case Item.TEAM:
            return ngettext("%(num)d persona su %(needed)d", "%(num)d persone su %(needed)d", have, needed=needed)
        case Item.FIRST_SUPPORTERS:
            return ngettext("%(num)d nome su %(needed)d", "%(num)d nomi su %(needed)d", have, needed=needed)
        case Item.UPDATES_PLAN:
            return ngettext(
                "%(num)d aggiornamento su %(needed)d", "%(num)d aggiornamenti su %(needed)d", have, needed=needed
            )
    return ""


# The impact indicators of `portal.domain.aftercare.INDICATORS`: the organisation's page, the
# campaign page, the open data's documentation.
INDICATOR_LABELS = {
    "people_reached": _l("Persone raggiunte"),
    "events_held": _l("Eventi realizzati"),
    "volunteers": _l("Volontari coinvolti"),
    "partners": _l("Partner coinvolti"),
    "hours_of_activity": _l("Ore di attività"),
    "spaces_improved": _l("Spazi migliorati"),
}


def indicator_label(code: str) -> str:
    """An impact indicator's name, from its code (`portal.domain.aftercare.INDICATORS`)."""
    return str(INDICATOR_LABELS.get(code, code))


# What the organisation says of a milestone (its form), and what a page shows of it (the status,
# `portal.domain.aftercare.milestone_status`: "late" is only ever computed).
MILESTONE_STATE_LABELS = {
    MilestoneState.PLANNED: _l("Da iniziare"),
    MilestoneState.IN_PROGRESS: _l("In corso"),
    MilestoneState.DONE: _l("Completata"),
}
MILESTONE_STATUS_LABELS = {
    MilestoneStatus.PLANNED: _l("Da iniziare"),
    MilestoneStatus.IN_PROGRESS: _l("In corso"),
    MilestoneStatus.DONE: _l("Completata"),
    MilestoneStatus.LATE: _l("In ritardo"),
}


def init_app(app: Flask) -> None:
    """The labels every area's templates use (applicant pages, e-mails, back-office)."""
    app.jinja_env.globals.update(
        status_label=APPLICATION_STATUS_LABELS.get,
        theme_label=lambda code: THEME_LABELS.get(code, code),
        category_label=lambda code: CATEGORY_LABELS.get(code, code),
        legal_forms_hint=legal_forms_hint,
        fiscal_status_label=lambda status: FISCAL_STATUS_LABELS.get(status, ""),
        payment_method_label=lambda method: PAYMENT_METHOD_LABELS.get(method, ""),
        readiness_item_label=readiness_item_label,
        readiness_progress=readiness_progress,
        readiness_missing_words=readiness_missing_words,
        indicator_label=indicator_label,
        milestone_status_label=lambda status: str(MILESTONE_STATUS_LABELS[status]),
    )


def legal_form_label(code: str) -> str:
    return str(LEGAL_FORM_LABELS.get(code, code))


def legal_forms_hint(codes: list[str]) -> str | None:
    """ "Il bando ammette queste forme giuridiche: associazione e fondazione.", built from the
    edition's own list (`Edition.eligible_legal_forms`), so the eligibility check, the organisation's
    profile and their hints never disagree with the call; None without a list."""
    forms = [str(LEGAL_FORM_LABELS[code]).lower() for code in codes or () if code in LEGAL_FORM_LABELS]
    if not forms:
        return None
    return ngettext(
        "Il bando ammette questa forma giuridica: %(forms)s.",
        "Il bando ammette queste forme giuridiche: %(forms)s.",
        len(forms),
        forms=words_list(forms),
    )


def municipio_label(number: int | None) -> str:
    return _("Municipio %(num)s", num=number) if number is not None else _("Municipio non indicato")

"""What the demo adds to the rows of portal/data/milano/crowdfunding_2020_projects.csv (see
`portal.demo.campaigns` for how each column is used and what is made up).

Summaries are the portal's own Italian paraphrases of the CSV's one-line English summary;
organisation names are the CSV's, with its English connectives said in Italian. A figure
in a `*_estimate*` field or in `raised_eur`/`pending` is made up for the demo and is listed
in the campaign's `demo_estimates`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DemoProject:
    title: str  # the CSV's `title`: the key of its row
    slug: str
    theme: str  # a code of portal.labels.THEME_LABELS (the demo's classification)
    summary: str
    organisation: str | None = None  # None: the CSV's `organisation` as it is
    goal_estimate_eur: int | None = None  # made up: the sources give neither cost nor target
    municipio: int | None = None  # where the CSV gives no NIL (derived, explained in `notes`)
    last_day: date | None = None  # where a source gives the campaign's last day
    raised_eur: int = 0  # made up: demo pledges confirmed by the demo's moment
    pending: int = 0  # made up: demo pledges still waiting for payment
    # Made up: demo pledges confirmed after the demo's November moment and before the campaign's last
    # day, which take it past its target (every real 2020 campaign reached it). Seeded only on a clock
    # past the campaign's end (`portal.demo.aftercare`), so the June and November clocks never see them.
    raised_late_eur: int = 0
    notes: str = ""


PROJECTS: tuple[DemoProject, ...] = (
    DemoProject(
        title="ClimBinG – L'arrampicata sotto i binari di Greco",
        slug="climbing-arrampicata-sotto-i-binari-di-greco",
        theme="sport",
        summary="Una parete di arrampicata libera e gratuita sotto gli archi della ferrovia a Greco, "
        "per fare sport e stare insieme.",
        goal_estimate_eur=30_000,
        raised_eur=5_200,
        pending=2,
        raised_late_eur=7_150,
    ),
    DemoProject(
        title="Quel verde in fondo al tunnel",
        slug="quel-verde-in-fondo-al-tunnel",
        theme="ambiente",
        summary="Due serre a tunnel perché l'orto comunitario di Niguarda produca tutto l'anno "
        "e continui a donare cibo a chi ne ha bisogno.",
        raised_eur=4_650,
        pending=1,
        notes="Among the first three campaigns to reach the target in November 2020: co-funded at the demo's moment.",
    ),
    DemoProject(
        title="Lab Barona",
        slug="lab-barona",
        theme="ambiente",
        summary="Il primo repair café di Milano: un laboratorio attrezzato, aperto al quartiere, "
        "dove riparare e riusare gli oggetti di casa.",
        organisation="La Cordata (cooperativa/impresa sociale), con la rete Milano2035",
        last_day=date(2020, 12, 27),  # "Campaign open until 27 Dec 2020"
        raised_eur=3_135,
        pending=2,
        raised_late_eur=5_285,
    ),
    DemoProject(
        title="Ri-Porta Vittoria! Una comunità che rinasce",
        slug="ri-porta-vittoria-una-comunita-che-rinasce",
        theme="cultura",
        summary="Sostegno scolastico, corsi di musica, spettacoli di clown e arti per le famiglie "
        "in difficoltà economica intorno a Porta Vittoria.",
        organisation="Artepassante, con Spazio Ginkgo, Collettivo Clown, Le Belle Arti, Fosforo "
        "e Orchestra della Musica Passante",
        municipio=4,
        raised_eur=9_850,
        pending=1,
        raised_late_eur=15_400,
        notes="No NIL (Porta Vittoria spans several); both NIL the CSV names lie in Municipio 4.",
    ),
    DemoProject(
        title="So.de – Il delivery sociale",
        slug="so-de-il-delivery-sociale",
        theme="inclusione",
        summary="Acquisti online da un servizio di consegne sociale che finanzia aiuti alimentari "
        "e lavoro per le persone fragili di Dergano.",
        goal_estimate_eur=25_000,
    ),
    DemoProject(
        title="Inside The Beat, Outside The Box",
        slug="inside-the-beat-outside-the-box",
        theme="educazione",
        summary="Laboratori di rap e spettacoli teatrali per ragazze e ragazzi dei quartieri periferici, "
        "con il sostegno di rapper conosciuti.",
        goal_estimate_eur=20_000,
    ),
    DemoProject(
        title="CineMarmocchi",
        slug="cinemarmocchi",
        theme="cultura",
        summary="Il primo cinema per bambini di Milano: proiezioni estive all'aperto e una piccola sala "
        "in una casetta del parco delle Crocerossine, al Giambellino.",
        organisation="Associazione culturale Project W, con Wanted Cinema",
    ),
    DemoProject(
        title="MadreProject – Scuola del Pane e dei Luoghi",
        slug="madreproject-scuola-del-pane-e-dei-luoghi",
        theme="lavoro",
        summary="Una scuola del pane senza scopo di lucro in un edificio in disuso del borgo di Chiaravalle, "
        "per formare panificatori urbani.",
        organisation="Terzo Paesaggio (non profit), con il panificatore Davide Longoni",
    ),
    DemoProject(
        title="Corvetto Digital School",
        slug="corvetto-digital-school",
        theme="educazione",
        summary="Un corso di dodici mesi su social media, programmazione, fotografia e video "
        "per venti ragazze e ragazzi tra i 13 e i 16 anni del Corvetto.",
        goal_estimate_eur=25_000,
    ),
    DemoProject(
        title="Sport per bimbi e mamme: benessere per tutti",
        slug="sport-per-bimbi-e-mamme-benessere-per-tutti",
        theme="sport",
        summary="Attività sportive inclusive per bambini e mamme nel Municipio 5.",
        goal_estimate_eur=12_000,
    ),
    DemoProject(
        title="Falegnameria Cuccagna",
        slug="falegnameria-cuccagna",
        theme="lavoro",
        summary="Una falegnameria sociale nel giardino di Cascina Cuccagna, dove si formano giovani "
        "migranti arrivati in Italia senza famiglia (16-21 anni).",
    ),
    DemoProject(
        title="Agrihousing – abitare la campagna in città",
        slug="agrihousing-abitare-la-campagna-in-citta",
        theme="rigenerazione",
        summary="Un edificio rurale ecosostenibile per un progetto di agricoltura sociale "
        "che dà lavoro a giovani in condizioni di fragilità.",
        goal_estimate_eur=50_000,
    ),
    DemoProject(
        title="Riselda partecipa",
        slug="riselda-partecipa",
        theme="ambiente",
        summary="Un bidone intelligente in un caseggiato che pesa e registra i rifiuti di ogni famiglia, "
        "per incoraggiare la raccolta differenziata.",
        organisation="BiPart impresa sociale",
        goal_estimate_eur=15_000,
    ),
    DemoProject(
        title="REstart: ripartiamo dal futuro",
        slug="restart-ripartiamo-dal-futuro",
        theme="lavoro",
        summary="Giovani di Quarto Oggiaro formati come babysitter e tutor per i compiti certificati, "
        "al servizio delle famiglie milanesi.",
    ),
)

# The CSV rows the demo leaves out: no confirmed title or organisation to show.
LEFT_OUT = (
    "Asilo bianco (organisation not found in the sources)",
    "the Rodari theatre installation in 13 libraries (title and organisation not confirmed)",
    "the families' club at Isola (title and organisation not confirmed)",
)


@dataclass(frozen=True)
class FictionalProject:
    """A campaign invented for the demo, to show a state no real 2020 project had by then."""

    slug: str
    title: str
    summary: str
    theme: str
    nil_id: int
    goal_eur: int
    starts_on: date
    raised_eur: int
    pending: int
    update_title: str
    update_body: str


FICTIONAL: tuple[FictionalProject, ...] = (
    FictionalProject(
        slug="cortile-in-comune-progetto-dimostrativo",
        title="Cortile in comune – progetto dimostrativo (demo)",
        summary="Campagna inventata per la demo del portale: mostra una campagna conclusa con successo. "
        "Non è un progetto reale.",
        theme="rigenerazione",
        nil_id=53,
        goal_eur=30_000,
        starts_on=date(2020, 9, 1),
        raised_eur=12_600,
        pending=1,
        update_title="Soglia raggiunta, grazie! (demo)",
        update_body="Aggiornamento dimostrativo: la campagna ha raggiunto la soglia e il Comune "
        "ha aggiunto il suo contributo. Testo inventato per la demo.",
    ),
    FictionalProject(
        slug="merende-al-parco-progetto-dimostrativo",
        title="Merende al parco – progetto dimostrativo (demo)",
        summary="Campagna inventata per la demo del portale: mostra una campagna conclusa senza raggiungere "
        "la soglia. Non è un progetto reale.",
        theme="inclusione",
        nil_id=65,
        goal_eur=15_000,
        starts_on=date(2020, 9, 10),
        raised_eur=2_300,
        pending=1,
        update_title="Ultimi giorni di campagna (demo)",
        update_body="Aggiornamento dimostrativo: mancano pochi giorni alla fine della campagna. "
        "Testo inventato per la demo.",
    ),
)

FICTIONAL_ORGANISATION = "Associazione dimostrativa (demo)"

# Supporters of the demo: fictional people, named as such; every fourth pledge is anonymous.
DEMO_NAMES = (
    "Anna Demo",
    "Bruno Esempio",
    "Carla Prova",
    "Dario Demo",
    "Elena Esempio",
    "Fabio Prova",
    "Giulia Demo",
    "Luca Esempio",
    "Marta Prova",
    "Nicola Demo",
    "Paola Esempio",
    "Roberto Prova",
)

# The amounts of demo pledges, in euros, in the order they come (scaled for large campaigns).
AMOUNT_CYCLE = (50, 100, 25, 250, 75, 500, 30, 150, 20, 1000, 60, 200)

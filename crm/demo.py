"""Demo data for ``make run``: a believable CRM, written through the services, idempotently.

Deterministic (``random.Random(42)`` and fixed word lists; dates are relative to the day
of seeding so "closes in the next 30 days" means something). Every write goes through
``crm.services`` with source IMPORT / ``seed_demo``, in batches, inside one transaction:
either the whole demo is there or none of it. A second run finds the demo's company
domains and writes nothing.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import transaction

from crm.models import AssociationCategory, AssociationType, ChangeSource, Record
from crm.services import Actor, association_label_create, records_create, records_update
from crm.services.associations import AssociationInput, associations_create

ACTOR = Actor.system("seed_demo", source=ChangeSource.IMPORT)
SEED = 42

COMPANIES = 60
CONTACTS = 300
CONTACTS_WITHOUT_COMPANY = 20
DEALS = 100
TICKETS = 40
FEEDBACK = 40
CONVERSATIONS = 30
CALLS = 60
EMAILS = 40
MEETINGS = 40
NOTES = 60
TASKS = 40
COMMUNICATIONS = 12

#: USER_DEFINED contact -> company labels the demo uses (created when missing).
DECISION_MAKER = "Decision maker"
BILLING_CONTACT = "Billing contact"

FIRST_NAMES = [
    "Aisling",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Keira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Xavier",
    "Yara",
    "Zoe",
    "Aoife",
    "Bruno",
    "Chloe",
    "Diego",
    "Emma",
    "Felix",
    "Gita",
    "Hugo",
    "Isla",
    "Jack",
    "Kofi",
    "Lena",
    "Marco",
    "Nina",
    "Oscar",
    "Priya",
    "Rafael",
    "Sofia",
    "Tomas",
    "Una",
    "Victor",
    "Willa",
    "Yusuf",
    "Zara",
]
LAST_NAMES = [
    "Murphy",
    "Kelly",
    "Schmidt",
    "Rossi",
    "Garcia",
    "Nakamura",
    "Okafor",
    "Novak",
    "Larsen",
    "Dubois",
    "Silva",
    "Kowalski",
    "Byrne",
    "Jensen",
    "Moreau",
    "Costa",
    "Fischer",
    "Walsh",
    "Haddad",
    "Petrov",
    "Lindqvist",
    "Ortiz",
    "Brennan",
    "Sato",
    "Mensah",
    "Ferreira",
    "Keller",
    "Quinlan",
    "Varga",
    "Ahmed",
    "Bianchi",
    "Doyle",
    "Eriksen",
    "Fontaine",
    "Gallo",
    "Horvat",
    "Ivanova",
    "Jovanovic",
    "Kaur",
    "Lopez",
]
CITIES = [  # (city, state/region, country)
    ("Dublin", "Leinster", "Ireland"),
    ("Cork", "Munster", "Ireland"),
    ("Boston", "Massachusetts", "United States"),
    ("Austin", "Texas", "United States"),
    ("Denver", "Colorado", "United States"),
    ("Seattle", "Washington", "United States"),
    ("London", "England", "United Kingdom"),
    ("Manchester", "England", "United Kingdom"),
    ("Berlin", "Berlin", "Germany"),
    ("Munich", "Bavaria", "Germany"),
    ("Paris", "Ile-de-France", "France"),
    ("Lyon", "Auvergne-Rhone-Alpes", "France"),
    ("Amsterdam", "North Holland", "Netherlands"),
    ("Madrid", "Madrid", "Spain"),
    ("Toronto", "Ontario", "Canada"),
    ("Sydney", "New South Wales", "Australia"),
]
CURRENCY_BY_COUNTRY = {
    "United States": "USD",
    "Canada": "USD",
    "Australia": "USD",
    "United Kingdom": "GBP",
}
JOB_TITLES = [
    "CEO",
    "CFO",
    "CTO",
    "VP Sales",
    "VP Marketing",
    "Head of Operations",
    "IT Manager",
    "Procurement Lead",
    "Finance Manager",
    "Marketing Manager",
    "Sales Director",
    "Customer Success Manager",
    "Product Manager",
    "Office Manager",
    "Engineer",
    "Analyst",
]
DECISION_MAKER_TITLES = ["CEO", "CTO", "VP Sales", "VP Marketing", "Head of Operations"]
BILLING_TITLES = ["CFO", "Finance Manager", "Procurement Lead", "Office Manager"]
COMPANY_STEMS = [
    "Northwind",
    "Bluefin",
    "Copperleaf",
    "Driftwood",
    "Evergreen",
    "Foxglove",
    "Granite",
    "Harbor",
    "Ironbark",
    "Juniper",
    "Kestrel",
    "Lighthouse",
    "Meridian",
    "Nimbus",
    "Oakridge",
    "Pinecrest",
    "Quarry",
    "Redwood",
    "Silverline",
    "Tidewater",
    "Upland",
    "Vantage",
    "Willow",
    "Yellowstone",
    "Zephyr",
    "Aurora",
    "Beacon",
    "Cobalt",
    "Delta",
    "Ember",
]
COMPANY_SUFFIXES = [
    "Analytics",
    "Logistics",
    "Health",
    "Foods",
    "Systems",
    "Labs",
    "Retail",
    "Energy",
    "Finance",
    "Telecom",
    "Builders",
    "Learning",
]
INDUSTRY_BY_SUFFIX = {
    "Analytics": "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "Logistics": "TRANSPORTATION_TRUCKING_RAILROAD",
    "Health": "HOSPITAL_HEALTH_CARE",
    "Foods": "RETAIL",
    "Systems": "COMPUTER_SOFTWARE",
    "Labs": "COMPUTER_SOFTWARE",
    "Retail": "RETAIL",
    "Energy": "CONSTRUCTION",
    "Finance": "FINANCIAL_SERVICES",
    "Telecom": "TELECOMMUNICATIONS",
    "Builders": "CONSTRUCTION",
    "Learning": "EDUCATION_MANAGEMENT",
}
PRODUCTS = [  # (name, unit price, sku, billing frequency or None, description)
    ("Platform licence - Starter", 1200, "PLT-STR", "annually", "Core platform, up to 10 seats."),
    (
        "Platform licence - Professional",
        4800,
        "PLT-PRO",
        "annually",
        "Core platform, up to 50 seats.",
    ),
    (
        "Platform licence - Enterprise",
        14400,
        "PLT-ENT",
        "annually",
        "Unlimited seats, SSO, audit log.",
    ),
    ("Additional seat", 25, "SEAT-1", "monthly", "One extra user seat."),
    ("Analytics add-on", 300, "ADD-ANL", "monthly", "Dashboards and custom reports."),
    ("Automation add-on", 450, "ADD-AUT", "monthly", "Workflows and sequences."),
    ("Premium support", 900, "SUP-PRM", "quarterly", "24/7 support with a 1-hour response time."),
    ("Onboarding package", 2500, "SRV-ONB", None, "Guided set-up over four weeks."),
    ("Data migration", 3500, "SRV-MIG", None, "Import from a legacy CRM."),
    ("Training day", 1500, "SRV-TRN", None, "On-site training for up to 12 people."),
    ("API access", 200, "ADD-API", "monthly", "Higher API limits and webhooks."),
    ("Sandbox environment", 600, "ADD-SBX", "annually", "A full copy for testing."),
]
DEAL_PURPOSES = [
    "Annual platform licence",
    "Seat expansion",
    "Analytics rollout",
    "Renewal",
    "Pilot",
    "Automation upgrade",
    "Support upgrade",
    "Migration project",
    "Multi-year agreement",
]
OPEN_STAGES = [
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
]
WON, LOST = "closedwon", "closedlost"
DEAL_STAGE_WEIGHTS = {
    "appointmentscheduled": 15,
    "qualifiedtobuy": 15,
    "presentationscheduled": 12,
    "decisionmakerboughtin": 10,
    "contractsent": 10,
    WON: 23,
    LOST: 15,
}
#: Lifecycle stages in the order a contact moves through them.
LIFECYCLE_PATH = [
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
]
TICKET_SUBJECTS = [
    "Cannot log in after password reset",
    "Invoice shows the wrong VAT number",
    "Export to CSV times out",
    "Request: dark mode",
    "Webhook deliveries failing",
    "How do I add a new pipeline?",
    "Charged twice this month",
    "Dashboard loads slowly",
    "SSO configuration help",
    "Question about the renewal invoice",
    "Import skipped some rows",
    "Feature request: bulk edit",
    "Email sync stopped working",
    "Need a copy of our contract",
]
TICKET_CATEGORY = {
    "Invoice": "BILLING_ISSUE",
    "Charged": "BILLING_ISSUE",
    "renewal invoice": "BILLING_ISSUE",
    "contract": "BILLING_ISSUE",
    "Request": "FEATURE_REQUEST",
    "Feature": "FEATURE_REQUEST",
    "How do I": "GENERAL_INQUIRY",
    "SSO": "GENERAL_INQUIRY",
}
#: Lines of call transcripts; many mention tracked terms (pricing, competitor, renewal...).
TRANSCRIPT_LINES = [
    "Rep: Thanks for making the time today. How is the rollout going?",
    "Customer: Mostly well, but the team keeps asking about pricing for extra seats.",
    "Rep: Understood. I can send the updated pricing sheet after this call.",
    "Customer: We are also looking at a competitor that bundles analytics for free.",
    "Rep: Which competitor? I'd like to understand what they include.",
    "Customer: Our renewal is coming up in the next quarter, so timing matters.",
    "Rep: Let's plan the renewal together and review usage before then.",
    "Customer: Budget is tight this year; a discount on a multi-year term would help.",
    "Rep: I can check with my manager about a multi-year discount.",
    "Customer: The onboarding was smooth; support answered within the hour.",
    "Customer: Security wants to see the SOC 2 report before we sign.",
    "Rep: I'll loop in our security team and share the report under NDA.",
    "Customer: Can we get a demo of the automation add-on for the ops team?",
    "Rep: Sure, I'll book a demo for next week.",
    "Customer: Honestly the pricing is higher than we expected.",
    "Customer: Procurement needs the contract by the end of the month.",
]
NOTE_BODIES = [
    "Prefers email over phone. Decision expected after the board meeting.",
    "Asked for a reference customer in the same industry.",
    "Mentioned a competitor trial ending next month.",
    "Happy with support; potential upsell to the analytics add-on.",
    "Renewal risk: usage dropped 30% over the last quarter.",
    "Legal review of the MSA in progress.",
    "Champion is moving to a new role; find a new sponsor.",
    "Pricing approved by finance, waiting on procurement.",
]
TASK_SUBJECTS = [
    "Send pricing sheet",
    "Follow up on proposal",
    "Book onboarding kickoff",
    "Prepare renewal quote",
    "Share security documents",
    "Schedule QBR",
    "Check in after trial",
    "Send contract for signature",
]
MEETING_TITLES = [
    "Discovery call",
    "Product demo",
    "Quarterly business review",
    "Contract review",
    "Onboarding kickoff",
    "Renewal planning",
    "Technical deep dive",
]
EMAIL_SUBJECTS = [
    "Following up on our call",
    "Your quote is ready",
    "Renewal options",
    "Pricing for additional seats",
    "Welcome aboard!",
    "Quick question",
    "Meeting recap and next steps",
]
SURVEYS = [("Quarterly NPS", "NPS"), ("Support satisfaction", "CSAT"), ("Onboarding effort", "CES")]
FEEDBACK_TEXT = {
    "POSITIVE": [
        "Great product, support is fast.",
        "The automation saves us hours every week.",
        "Onboarding was painless.",
    ],
    "NEUTRAL": ["Does the job, reporting could be better.", "Fine overall, pricing is a bit high."],
    "NEGATIVE": [
        "Too many bugs in the last release.",
        "Support took days to answer.",
        "We are considering a competitor.",
    ],
}


@dataclass(frozen=True)
class _Deal:
    """A deal with the facts later steps build on (who buys, where it ends)."""

    record: Record
    company: Record
    people: list[Record]
    final_stage: str


@dataclass
class DemoSummary:
    created: dict[str, int] = field(default_factory=dict)
    associations: int = 0
    history_rows: int = 0
    seconds: float = 0.0
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return "Demo data already present: nothing to do."
        parts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in self.created.items())
        return (
            f"Seeded demo data in {self.seconds:.1f}s: {parts}; {self.associations} associations, "
            f"{self.history_rows} property history rows."
        )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def demo_company_names() -> list[str]:
    """The demo's company names: fixed, and the same on every run."""
    rng = random.Random(SEED)
    combos = [f"{stem} {suffix}" for stem in COMPANY_STEMS for suffix in COMPANY_SUFFIXES]
    return rng.sample(combos, COMPANIES)


def demo_domains() -> list[str]:
    return [f"{slug(name)}.example" for name in demo_company_names()]


def demo_present() -> bool:
    """The marker: any demo company domain, archived or not, means the demo was loaded."""
    return Record.objects.filter(
        object_type__name="companies", properties__domain__in=demo_domains()
    ).exists()


def seed_demo() -> DemoSummary:
    """Load the demo unless it is there already; returns what was written."""
    from crm.models import PropertyChange

    if demo_present():
        return DemoSummary(skipped=True)
    started = time.perf_counter()
    history_before = PropertyChange.objects.count()
    with transaction.atomic():
        builder = _DemoBuilder(random.Random(SEED), today=datetime.now(UTC).date())
        summary = builder.build()
    summary.history_rows = PropertyChange.objects.count() - history_before
    summary.seconds = time.perf_counter() - started
    return summary


# --------------------------------------------------------------------------- the builder


class _DemoBuilder:
    """Builds the demo in named steps; associations are collected and written per type pair."""

    def __init__(self, rng: random.Random, *, today: date) -> None:
        self.rng = rng
        self.today = today
        self.links: dict[tuple[str, str], list[AssociationInput]] = {}
        self.summary = DemoSummary()
        self.company_of: dict[int, Record] = {}  # contact id -> company
        self.contacts_at: dict[int, list[Record]] = {}  # company id -> contacts
        self.customer_companies: set[int] = set()

    def build(self) -> DemoSummary:
        decision_maker, billing_contact = self.ensure_labels()
        products = self.products()
        companies = self.companies()
        contacts = self.contacts(companies)
        deals = self.deals(companies)
        self.progress_lifecycles(contacts, deals)
        self.label_company_contacts(companies, decision_maker, billing_contact)
        quote_of = self.quotes_and_line_items(deals, products)
        tickets = self.tickets(contacts)
        subscriptions = self.subscriptions(deals, quote_of)
        self.payments(subscriptions)
        self.feedback(contacts, tickets)
        self.conversations(contacts, tickets)
        self.activities(contacts, deals)
        self.write_associations()
        from crm.demo_email import seed_email

        self.summary.created.update(seed_email(contacts))
        from crm.demo_legacy import seed_legacy_events

        self.summary.created.update(seed_legacy_events(contacts))
        from crm.demo_tracking import seed_tracking

        self.summary.created.update(seed_tracking(contacts))
        return self.summary

    # ------------------------------------------------------------------ helpers

    def create(self, object_type: str, rows: Sequence[dict[str, Any]]) -> list[Record]:
        records = records_create(object_type=object_type, rows=rows, actor=ACTOR)
        self.summary.created[object_type] = self.summary.created.get(object_type, 0) + len(records)
        return records

    def update_in_steps(self, object_type: str, paths: dict[int, list[dict[str, Any]]]) -> None:
        """Apply each record's list of successive updates, one batch per step, so history
        shows every stage a record went through (what "has ever been" filters read)."""
        step = 0
        while True:
            updates = [(pk, path[step]) for pk, path in paths.items() if len(path) > step]
            if not updates:
                return
            records_update(object_type=object_type, updates=updates, actor=ACTOR)
            step += 1

    def link(self, a: Record, b: Record, *labels: tuple[str, int]) -> None:
        key = (a.object_type.name, b.object_type.name)
        self.links.setdefault(key, []).append((a, b, list(labels)))

    def moment(self, days_from_today: int, hour: int | None = None) -> str:
        when = datetime.combine(self.today, datetime.min.time(), tzinfo=UTC) + timedelta(
            days=days_from_today,
            hours=hour if hour is not None else self.rng.randint(8, 17),
            minutes=self.rng.choice([0, 15, 30, 45]),
        )
        return when.isoformat()

    def day(self, days_from_today: int) -> str:
        return (self.today + timedelta(days=days_from_today)).isoformat()

    def write_associations(self) -> None:
        for inputs in self.links.values():
            self.summary.associations += associations_create(inputs=inputs, actor=ACTOR)

    # ------------------------------------------------------------------ steps

    def ensure_labels(self) -> tuple[AssociationType, AssociationType]:
        found = []
        for label in (DECISION_MAKER, BILLING_CONTACT):
            existing = AssociationType.objects.filter(
                from_object_type__name="contacts",
                to_object_type__name="companies",
                category=AssociationCategory.USER_DEFINED,
                label__iexact=label,
            ).first()
            if existing is None:
                existing, _ = association_label_create(
                    from_object_type="contacts",
                    to_object_type="companies",
                    label=label,
                    inverse_label=label,
                )
            found.append(existing)
        return found[0], found[1]

    def products(self) -> list[Record]:
        rows = []
        for name, price, sku, frequency, description in PRODUCTS:
            row = {"name": name, "price": price, "hs_sku": sku, "description": description}
            if frequency:
                row["recurringbillingfrequency"] = frequency
            rows.append(row)
        return self.create("products", rows)

    def companies(self) -> list[Record]:
        rng, rows = self.rng, []
        for name in demo_company_names():
            city, state, country = rng.choice(CITIES)
            employees = rng.choice([8, 15, 40, 75, 120, 250, 600, 1500, 5000])
            rows.append(
                {
                    "name": name,
                    "domain": f"{slug(name)}.example",
                    "industry": INDUSTRY_BY_SUFFIX[name.split()[-1]],
                    "city": city,
                    "state": state,
                    "country": country,
                    "phone": f"+1 555 01{rng.randint(10, 99)} {rng.randint(1000, 9999)}",
                    "numberofemployees": employees,
                    "annualrevenue": employees * rng.choice([60_000, 90_000, 120_000, 150_000]),
                    "lifecyclestage": "lead",
                    "type": rng.choices(
                        ["PROSPECT", "PARTNER", "RESELLER", "VENDOR"], [8, 1, 1, 1]
                    )[0],
                    "description": f"{name} - {rng.choice(['B2B', 'B2C', 'public sector'])} customer base in {city}.",
                }
            )
        return self.create("companies", rows)

    def contacts(self, companies: list[Record]) -> list[Record]:
        rng = self.rng
        employer: list[Record | None] = [
            companies[i % len(companies)] for i in range(2 * len(companies))
        ]
        employer += [
            rng.choice(companies)
            for _ in range(CONTACTS - CONTACTS_WITHOUT_COMPANY - len(employer))
        ]
        employer += [None] * CONTACTS_WITHOUT_COMPANY
        rows, used = [], set()
        for i, company in enumerate(employer):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            domain = company.properties["domain"] if company else "inbox.example"
            local = f"{first}.{last}".lower()
            email = f"{local}@{domain}"
            n = 2
            while email in used:
                email, n = f"{local}{n}@{domain}", n + 1
            used.add(email)
            city, state, country = (
                (
                    company.properties["city"],
                    company.properties["state"],
                    company.properties["country"],
                )
                if company and rng.random() < 0.8
                else rng.choice(CITIES)
            )
            # Two contacts per company first get the titles their labels will need.
            title = (
                DECISION_MAKER_TITLES
                if i < len(companies)
                else BILLING_TITLES
                if i < 2 * len(companies)
                else JOB_TITLES
            )
            row: dict[str, Any] = {
                "email": email,
                "firstname": first,
                "lastname": last,
                "phone": f"+1 555 02{rng.randint(10, 99)} {rng.randint(1000, 9999)}",
                "city": city,
                "state": state,
                "country": country,
                "jobtitle": rng.choice(title),
                "lifecyclestage": "subscriber" if rng.random() < 0.12 else "lead",
                "hs_lead_status": rng.choice(
                    ["NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED"]
                ),
                "hs_analytics_source": rng.choice(
                    [
                        "ORGANIC_SEARCH",
                        "PAID_SEARCH",
                        "EMAIL_MARKETING",
                        "SOCIAL_MEDIA",
                        "REFERRALS",
                        "DIRECT_TRAFFIC",
                        "OFFLINE",
                    ]
                ),
                "hs_analytics_num_page_views": rng.randint(0, 120),
                "hs_email_optout": rng.random() < 0.08,
            }
            if company:
                row["company"] = company.properties["name"]
                row["website"] = f"https://www.{domain}"
            if rng.random() < 0.3:
                row["date_of_birth"] = date(
                    rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28)
                ).isoformat()
            if rng.random() < 0.35:
                row["hs_buying_role"] = rng.sample(
                    ["BUDGET_HOLDER", "CHAMPION", "DECISION_MAKER", "END_USER", "INFLUENCER"],
                    rng.randint(1, 2),
                )
            rows.append(row)
        contacts = self.create("contacts", rows)
        for contact, company in zip(contacts, employer, strict=True):
            if company is None:
                continue
            self.company_of[contact.pk] = company
            self.contacts_at.setdefault(company.pk, []).append(contact)
            self.link(contact, company, ("HUBSPOT_DEFINED", 1))  # primary company
        return contacts

    def deals(self, companies: list[Record]) -> list[_Deal]:
        rng = self.rng
        stages, weights = list(DEAL_STAGE_WEIGHTS), list(DEAL_STAGE_WEIGHTS.values())
        rows, finals, buyers = [], [], []
        for _ in range(DEALS):
            company = rng.choice(companies)
            final = rng.choices(stages, weights)[0]
            closed = final in (WON, LOST)
            purpose = rng.choice(DEAL_PURPOSES)
            rows.append(
                {
                    "dealname": f"{company.properties['name']} - {purpose}",
                    "amount": rng.randint(4, 120) * 500,
                    "pipeline": "default",
                    "dealstage": "appointmentscheduled",
                    "closedate": self.moment(
                        -rng.randint(1, 150) if closed else rng.randint(5, 120)
                    ),
                    "dealtype": "existingbusiness" if purpose == "Renewal" else "newbusiness",
                }
            )
            finals.append(final)
            staff = self.contacts_at[company.pk]
            buyers.append((company, rng.sample(staff, min(len(staff), rng.randint(1, 3)))))
        records = self.create("deals", rows)
        paths: dict[int, list[dict[str, Any]]] = {}
        for deal, final, (company, people) in zip(records, finals, buyers, strict=True):
            reached = (
                OPEN_STAGES.index(final)
                if final in OPEN_STAGES
                else (
                    len(OPEN_STAGES) - 1 if final == WON else rng.randint(0, len(OPEN_STAGES) - 1)
                )
            )
            path = [{"dealstage": s} for s in OPEN_STAGES[1 : reached + 1]]
            if final in (WON, LOST):
                path.append({"dealstage": final})
            if rng.random() < 0.25 and path:  # negotiation moved the amount
                path[-1]["amount"] = deal.properties["amount"] + rng.choice(
                    [-2000, -1000, 1000, 2500]
                )
            paths[deal.pk] = path
            self.link(deal, company, ("HUBSPOT_DEFINED", 5))  # primary company
            for person in people:
                self.link(deal, person)
        self.update_in_steps("deals", paths)
        return [
            _Deal(deal, company, people, final)
            for deal, final, (company, people) in zip(records, finals, buyers, strict=True)
        ]

    def progress_lifecycles(self, contacts: list[Record], deals: list[_Deal]) -> None:
        """Contacts climb lead -> MQL -> SQL (-> opportunity -> customer) in successive
        updates, so the history has every stage; companies follow their deals."""
        rng = self.rng
        on_deal: dict[int, str] = {}
        company_stage: dict[int, str] = {}
        for deal in deals:
            stage = (
                "customer"
                if deal.final_stage == WON
                else ("opportunity" if deal.final_stage != LOST else "salesqualifiedlead")
            )
            for person in deal.people:
                on_deal[person.pk] = max(
                    on_deal.get(person.pk, "lead"), stage, key=LIFECYCLE_PATH.index
                )
            cid = deal.company.pk
            if stage != "salesqualifiedlead":
                company_stage[cid] = max(
                    company_stage.get(cid, "opportunity"), stage, key=LIFECYCLE_PATH.index
                )
        paths: dict[int, list[dict[str, Any]]] = {}
        for contact in contacts:
            subscriber = contact.properties["lifecyclestage"] == "subscriber"
            if subscriber and contact.pk not in on_deal:
                continue
            final = (
                on_deal.get(contact.pk)
                or rng.choices([*LIFECYCLE_PATH[:3], "other"], [40, 30, 20, 3])[0]
            )
            if final == "customer" and rng.random() < 0.1:
                final = "evangelist"
            if final == "other":
                paths[contact.pk] = [{"lifecyclestage": "other", "hs_lead_status": "UNQUALIFIED"}]
                continue
            steps = LIFECYCLE_PATH[0 if subscriber else 1 : LIFECYCLE_PATH.index(final) + 1]
            paths[contact.pk] = [{"lifecyclestage": s} for s in steps]
            if final in ("opportunity", "customer", "evangelist"):
                paths[contact.pk][-1]["hs_lead_status"] = (
                    "OPEN_DEAL" if final == "opportunity" else "CONNECTED"
                )
        self.update_in_steps("contacts", paths)
        company_paths = {
            cid: [{"lifecyclestage": "opportunity"}]
            + ([{"lifecyclestage": "customer"}] if stage == "customer" else [])
            for cid, stage in company_stage.items()
        }
        self.update_in_steps("companies", company_paths)
        self.customer_companies = {
            cid for cid, stage in company_stage.items() if stage == "customer"
        }

    def label_company_contacts(
        self,
        companies: list[Record],
        decision_maker: AssociationType,
        billing_contact: AssociationType,
    ) -> None:
        """Every company has a decision maker; customers also have a billing contact."""
        for company in companies:
            staff = self.contacts_at[company.pk]
            self.link(staff[0], company, ("USER_DEFINED", decision_maker.type_id))
            if company.pk in self.customer_companies:
                self.link(staff[1], company, ("USER_DEFINED", billing_contact.type_id))

    def quotes_and_line_items(
        self, deals: list[_Deal], products: list[Record]
    ) -> dict[int, Record]:
        """Quotes for deals far enough along, with line items from the product library;
        returns deal id -> quote."""
        rng = self.rng
        quoted = [
            d for d in deals if d.final_stage in ("decisionmakerboughtin", "contractsent", WON)
        ]
        specs, quote_rows = [], []
        for deal in quoted:
            lines = []
            for product in rng.sample(products, rng.randint(1, 4)):
                lines.append(
                    {
                        "name": product.properties["name"],
                        "price": product.properties["price"],
                        "quantity": rng.choice([1, 1, 1, 2, 5, 10, 25])
                        if product.properties["price"] < 1000
                        else 1,
                        "hs_discount_percentage": rng.choice([0, 0, 0, 5, 10, 15]),
                        "hs_product_id": str(product.pk),
                        **(
                            {
                                "recurringbillingfrequency": product.properties[
                                    "recurringbillingfrequency"
                                ]
                            }
                            if "recurringbillingfrequency" in product.properties
                            else {}
                        ),
                    }
                )
            total = sum(
                round(li["price"] * li["quantity"] * (1 - li["hs_discount_percentage"] / 100), 2)
                for li in lines
            )
            status = {
                "decisionmakerboughtin": "DRAFT",
                "contractsent": rng.choice(["PENDING_APPROVAL", "APPROVED"]),
                WON: "APPROVED",
            }[deal.final_stage]
            country = deal.company.properties.get("country", "")
            quote_rows.append(
                {
                    "hs_title": f"Quote - {deal.record.properties['dealname']}",
                    "hs_status": status,
                    "hs_quote_amount": round(total, 2),
                    "hs_expiration_date": self.day(rng.randint(-20, 45)),
                    "hs_currency": CURRENCY_BY_COUNTRY.get(country, "EUR"),
                }
            )
            specs.append((deal, lines))
        quotes = self.create("quotes", quote_rows)
        line_items = self.create("line_items", [li for _, lines in specs for li in lines])
        product_by_id = {p.pk: p for p in products}
        position = 0
        for quote, (deal, lines) in zip(quotes, specs, strict=True):
            self.link(quote, deal.record)
            self.link(quote, deal.company)
            self.link(quote, deal.people[0])
            for item in line_items[position : position + len(lines)]:
                self.link(quote, item)
                self.link(deal.record, item)
                self.link(item, product_by_id[int(item.properties["hs_product_id"])])
            position += len(lines)
        return {deal.record.pk: quote for quote, (deal, _) in zip(quotes, specs, strict=True)}

    def tickets(self, contacts: list[Record]) -> list[tuple[Record, Record]]:
        """Support tickets moved along the support pipeline; returns (ticket, reporter)."""
        rng = self.rng
        reporters = [c for c in contacts if c.pk in self.company_of]
        rows, who, paths = [], [], []
        for _ in range(TICKETS):
            subject = rng.choice(TICKET_SUBJECTS)
            category = next(
                (c for key, c in TICKET_CATEGORY.items() if key in subject), "PRODUCT_ISSUE"
            )
            rows.append(
                {
                    "subject": subject,
                    "content": f"{subject}. Reported via the help centre.",
                    "hs_pipeline": "0",
                    "hs_pipeline_stage": "1",
                    "hs_ticket_priority": rng.choices(
                        ["LOW", "MEDIUM", "HIGH", "URGENT"], [3, 4, 2, 1]
                    )[0],
                    "hs_ticket_category": category,
                }
            )
            who.append(rng.choice(reporters))
            final = rng.choices(["1", "2", "3", "4"], [2, 2, 2, 5])[0]
            paths.append(
                [
                    {"hs_pipeline_stage": s}
                    for s in ["3", "2", "4"][: ["1", "3", "2", "4"].index(final)]
                ]
            )
        tickets = self.create("tickets", rows)
        for ticket, person in zip(tickets, who, strict=True):
            self.link(ticket, person)
            self.link(
                ticket, self.company_of[person.pk], ("HUBSPOT_DEFINED", 26)
            )  # primary company
        self.update_in_steps("tickets", {t.pk: p for t, p in zip(tickets, paths, strict=True) if p})
        return list(zip(tickets, who, strict=True))

    def subscriptions(
        self, deals: list[_Deal], quote_of: dict[int, Record]
    ) -> list[tuple[Record, _Deal]]:
        """A subscription per won deal; returns (subscription, deal)."""
        rng = self.rng
        won = [d for d in deals if d.final_stage == WON]
        rows = []
        for deal in won:
            frequency = rng.choice(["monthly", "monthly", "quarterly", "annually"])
            per_year = {"monthly": 12, "quarterly": 4, "annually": 1}[frequency]
            rows.append(
                {
                    "hs_name": deal.record.properties["dealname"],
                    "hs_status": rng.choices(
                        ["active", "past_due", "canceled", "expired"], [14, 2, 2, 1]
                    )[0],
                    "hs_recurring_billing_frequency": frequency,
                    "hs_recurring_revenue": round(deal.record.properties["amount"] / per_year, 2),
                    "hs_next_payment_due_date": self.day(rng.randint(1, 90)),
                }
            )
        subscriptions = self.create("subscriptions", rows)
        for sub, deal in zip(subscriptions, won, strict=True):
            self.link(sub, deal.record)
            self.link(sub, deal.company)
            self.link(sub, deal.people[0])
            if deal.record.pk in quote_of:
                self.link(sub, quote_of[deal.record.pk])
        return list(zip(subscriptions, won, strict=True))

    def payments(self, subscriptions: list[tuple[Record, _Deal]]) -> None:
        rng = self.rng
        rows, owners = [], []
        for sub, deal in subscriptions:
            for n in range(rng.randint(1, 3)):
                status = rng.choices(
                    ["succeeded", "failed", "refunded", "processing"], [16, 3, 1, 1]
                )[0]
                rows.append(
                    {
                        "hs_reference_number": f"PAY-{len(rows) + 1:05d}",
                        "hs_initial_amount": sub.properties["hs_recurring_revenue"],
                        "hs_latest_status": status,
                        "hs_payment_method_type": rng.choice(["card", "card", "ach", "sepa"]),
                        "hs_processed_date": self.moment(-30 * (n + 1) + rng.randint(0, 5)),
                    }
                )
                owners.append((sub, deal))
        for payment, (sub, deal) in zip(self.create("payments", rows), owners, strict=True):
            self.link(sub, payment)
            self.link(payment, deal.people[0])
            self.link(payment, deal.company)

    def feedback(self, contacts: list[Record], tickets: list[tuple[Record, Record]]) -> None:
        rng = self.rng
        rows, about = [], []
        for _ in range(FEEDBACK):
            survey, kind = rng.choice(SURVEYS)
            value = rng.randint(0, 10) if kind == "NPS" else rng.randint(1, 5)
            high, low = (9, 6) if kind == "NPS" else (4, 2)
            sentiment = "POSITIVE" if value >= high else "NEGATIVE" if value <= low else "NEUTRAL"
            rows.append(
                {
                    "hs_survey_name": survey,
                    "hs_survey_type": kind,
                    "hs_sentiment": sentiment,
                    "hs_value": value,
                    "hs_content": rng.choice(FEEDBACK_TEXT[sentiment]),
                    "hs_submission_timestamp": self.moment(-rng.randint(1, 90)),
                }
            )
            ticket, reporter = (
                rng.choice(tickets) if kind == "CSAT" else (None, rng.choice(contacts))
            )
            about.append((reporter, ticket))
        for submission, (person, ticket) in zip(
            self.create("feedback_submissions", rows), about, strict=True
        ):
            self.link(submission, person)
            if ticket:
                self.link(submission, ticket)

    def conversations(self, contacts: list[Record], tickets: list[tuple[Record, Record]]) -> None:
        rng = self.rng
        rows, about = [], []
        for i in range(CONVERSATIONS):
            ticket, reporter = tickets[i] if i < len(tickets) // 2 else (None, rng.choice(contacts))
            rows.append(
                {
                    "hs_subject": ticket.properties["subject"]
                    if ticket
                    else rng.choice(EMAIL_SUBJECTS),
                    "hs_agent_first_response_time": rng.randint(2, 240) * 60_000,
                    "hs_last_message_received_at": self.moment(-rng.randint(0, 30)),
                    "hs_thread_status": rng.choice(["OPEN", "CLOSED", "CLOSED"]),
                    "hs_originating_channel": rng.choice(["EMAIL", "CHAT", "CHAT", "WHATSAPP"]),
                }
            )
            about.append((reporter, ticket))
        for conversation, (person, ticket) in zip(
            self.create("conversations", rows), about, strict=True
        ):
            self.link(conversation, person)
            if ticket:
                self.link(conversation, ticket)

    def activities(self, contacts: list[Record], deals: list[_Deal]) -> None:
        """Calls (with transcripts), emails, meetings, notes, tasks and messages, logged on
        contacts and, where there is one, their company and deal."""
        rng = self.rng
        deal_of: dict[int, Record] = {}
        for deal in deals:
            for person in deal.people:
                deal_of.setdefault(person.pk, deal.record)
        busy = [c for c in contacts if c.pk in deal_of] or contacts

        def targets(n: int) -> list[Record]:
            return [
                rng.choice(busy) if rng.random() < 0.7 else rng.choice(contacts) for _ in range(n)
            ]

        def log(object_type: str, rows: list[dict[str, Any]], people: list[Record]) -> None:
            for activity, person in zip(self.create(object_type, rows), people, strict=True):
                self.link(person, activity)
                if person.pk in self.company_of:
                    self.link(self.company_of[person.pk], activity)
                if person.pk in deal_of:
                    self.link(deal_of[person.pk], activity)

        people = targets(CALLS)
        log(
            "calls",
            [
                {
                    "hs_call_title": f"Call with {p.properties['firstname']} {p.properties['lastname']}",
                    "hs_call_body": rng.choice(NOTE_BODIES),
                    # Sampled lines keep their order, so each transcript still reads as a conversation.
                    "hs_call_transcript": "\n".join(
                        TRANSCRIPT_LINES[i]
                        for i in sorted(rng.sample(range(len(TRANSCRIPT_LINES)), rng.randint(4, 8)))
                    ),
                    "hs_timestamp": self.moment(-rng.randint(0, 120)),
                    "hs_call_duration": rng.randint(2, 45) * 60_000,
                    "hs_call_direction": rng.choice(["INBOUND", "OUTBOUND", "OUTBOUND"]),
                    "hs_call_status": rng.choices(["COMPLETED", "NO_ANSWER", "BUSY"], [8, 2, 1])[0],
                }
                for p in people
            ],
            people,
        )

        people = targets(EMAILS)
        log(
            "emails",
            [
                {
                    "hs_email_subject": rng.choice(EMAIL_SUBJECTS),
                    "hs_email_text": f"Hi {p.properties['firstname']},\n\n{rng.choice(NOTE_BODIES)}\n\nBest regards",
                    "hs_timestamp": self.moment(-rng.randint(0, 90)),
                    "hs_email_direction": rng.choice(["EMAIL", "EMAIL", "INCOMING_EMAIL"]),
                }
                for p in people
            ],
            people,
        )

        people, rows = targets(MEETINGS), []
        for _ in people:
            offset = rng.randint(-60, 30)
            start = self.moment(offset, hour=rng.randint(9, 16))
            rows.append(
                {
                    "hs_meeting_title": rng.choice(MEETING_TITLES),
                    "hs_meeting_body": rng.choice(NOTE_BODIES),
                    "hs_meeting_start_time": start,
                    "hs_meeting_end_time": (
                        datetime.fromisoformat(start) + timedelta(minutes=45)
                    ).isoformat(),
                    "hs_timestamp": start,
                    "hs_meeting_outcome": "SCHEDULED"
                    if offset >= 0
                    else rng.choices(
                        ["COMPLETED", "NO_SHOW", "RESCHEDULED", "CANCELED"], [8, 1, 1, 1]
                    )[0],
                }
            )
        log("meetings", rows, people)

        people = targets(NOTES)
        log(
            "notes",
            [
                {
                    "hs_note_body": rng.choice(NOTE_BODIES),
                    "hs_timestamp": self.moment(-rng.randint(0, 120)),
                }
                for _ in people
            ],
            people,
        )

        people, rows = targets(TASKS), []
        for _ in people:
            due = rng.randint(-20, 30)
            rows.append(
                {
                    "hs_task_subject": rng.choice(TASK_SUBJECTS),
                    "hs_task_body": rng.choice(NOTE_BODIES),
                    "hs_timestamp": self.moment(due),
                    "hs_task_status": "COMPLETED"
                    if due < -5
                    else rng.choice(["NOT_STARTED", "IN_PROGRESS", "WAITING"]),
                    "hs_task_priority": rng.choice(["LOW", "MEDIUM", "HIGH"]),
                }
            )
        log("tasks", rows, people)

        people = targets(COMMUNICATIONS)
        log(
            "communications",
            [
                {
                    "hs_communication_channel_type": rng.choice(
                        ["SMS", "WHATS_APP", "LINKEDIN_MESSAGE"]
                    ),
                    "hs_communication_body": rng.choice(
                        [
                            "Running 5 minutes late.",
                            "Thanks, received the quote.",
                            "Can we move our call to Thursday?",
                        ]
                    ),
                    "hs_timestamp": self.moment(-rng.randint(0, 30)),
                }
                for _ in people
            ],
            people,
        )

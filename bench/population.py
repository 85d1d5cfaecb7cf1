"""What the generated population looks like: names, places, credentials, habits.

Only description lives here: frequencies, ranges and texts, no drawing and no rules.
``bench/generator.py`` draws members from it, and takes every rule (cycle dates,
recording deadlines, what counts toward a cycle, whether a cycle was met) from the
program's rule sets and the rules core, so the data is what the product would compute.

What a member looks like:

* 1–3 certifications (credential mix weighted toward RMA and RPT), certified between
  1995 and 2025, more of them recent. Those dated before the program's
  ``ce_required_from`` (2006-01-01) are exempt and have no cycles.
* Every cycle from certification to the one containing today; the current one is open.
  Cycles older than ``--history-cycles`` (default 3) are legacy imports: completed, with
  no activities, which is how ``create_certification`` brings in an existing record.
* 0–40 activities per cycle with history (the current cycle in proportion to how much of
  it has passed); past cycles are topped up to their requirement unless the member fell
  short, in which case the certification lapsed there and has no later cycles.
* Categories weighted toward professional education; 0.5–10 points with two decimals;
  dates inside the cycle and never after today; a category with a ``claimable_until``
  (employment verification, 2020-12-31) only up to that day, as the recording service
  enforces.
* Each activity is claimed against its cycle; members who use "report once" also claim
  it against their other certifications' cycles that contain it and were open for
  recording the day it was entered, as ``record_activity`` does by default — so a cycle
  can hold more than 40 claims.

Not generated: sign-in accounts (population members are unclaimed) and the event log.
"""

from __future__ import annotations

from dataclasses import dataclass

POPULATION_PREFIX = "P"
"""Population members are numbered P00000001…; other members are never touched."""
_NUMBER_WIDTH = 8


def member_number(index: int) -> str:
    """The member number of population member ``index`` (from 0); fixed width, so sortable."""
    return f"{POPULATION_PREFIX}{index + 1:0{_NUMBER_WIDTH}d}"


FIRST_NAMES = (
    "Alice",
    "Maria",
    "Jose",
    "Wei",
    "Fatima",
    "Olga",
    "Noah",
    "Liam",
    "Emma",
    "Ava",
    "Sophia",
    "Mia",
    "Aiden",
    "Lucas",
    "Ethan",
    "Chloe",
    "Grace",
    "Priya",
    "Arjun",
    "Mateo",
    "Sofia",
    "Camila",
    "Diego",
    "Hannah",
    "Isaac",
    "Jamal",
    "Keisha",
    "Layla",
    "Omar",
    "Rosa",
    "Tomas",
    "Yuki",
    "Zoe",
    "Nia",
    "Kofi",
    "Ingrid",
    "Lars",
    "Anya",
    "Dmitri",
    "Mei",
)
LAST_NAMES = (
    "Nguyen",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Patel",
)
PLACES = (
    ("Chicago", "IL", "60601"),
    ("Rosemont", "IL", "60018"),
    ("Houston", "TX", "77002"),
    ("Phoenix", "AZ", "85004"),
    ("Atlanta", "GA", "30303"),
    ("Columbus", "OH", "43215"),
    ("Denver", "CO", "80202"),
    ("Seattle", "WA", "98101"),
    ("Miami", "FL", "33130"),
    ("Boston", "MA", "02108"),
    ("Nashville", "TN", "37203"),
    ("Omaha", "NE", "68102"),
    ("Fresno", "CA", "93721"),
    ("Tulsa", "OK", "74103"),
)
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Lake Rd", "Park Blvd")
ADDRESSES = tuple(f"10.0.{n // 250}.{n % 250 + 1}" for n in range(1000))
"""The addresses activities are attested from."""

AGE_AT_CERTIFICATION = (19 * 365, 45 * 365)
"""Days between birth and the first certification."""
CERTIFIED_YEARS = (1995, 2025)
CERTIFIED_RECENT_SKEW = 0.7
"""Below 1, more certifications in recent years, as the program grows."""

CREDENTIAL_WEIGHTS = {
    "RMA": 30,
    "RPT": 20,
    "MLT": 10,
    "MLS": 10,
    "CMAS": 8,
    "RDA": 6,
    "PCT": 6,
    "CMLA": 5,
    "AHI": 2,
    "MDT": 2,
    "CLC": 1,
}
"""Relative frequency of each credential among certifications."""
CERTIFICATIONS_PER_MEMBER = {1: 60, 2: 30, 3: 10}
ACTIVITIES_PER_CYCLE = (6, 10, 14, 20, 28)
"""A member's activities in a full cycle, on average (one of these, drawn per member)."""
MAX_ACTIVITIES_PER_CYCLE = 40
REPORT_ONCE_SHARE = 0.6
"""Members who let one activity count toward every certification whose cycle contains it."""
SHORTFALL_CHANCE = 0.04
"""A past cycle's chance that the member stopped recording and the certification lapsed."""
SHORTFALL_EFFORT = 0.3
"""How much of their usual activity a member who falls short still records."""
ROUNDED_POINTS_SHARE = 0.5
"""Activities whose provider awards whole or quarter points."""
ATTESTED_WITHIN_DAYS = 21
"""Members record an activity up to this many days after it ends (within the grace period)."""


@dataclass(frozen=True)
class CategoryShape:
    """How members use one category: frequency, points (in hundredths) and length in days."""

    weight: int
    low: int
    high: int
    mode: int
    days: tuple[int, int]
    one_day_share: float
    titles: tuple[str, ...]


CATEGORY_SHAPES = {
    "professional-education": CategoryShape(
        weight=70,
        low=50,
        high=1000,
        mode=100,
        days=(1, 3),
        one_day_share=0.85,
        titles=(
            "Infection control update",
            "HIPAA privacy refresher",
            "Bloodborne pathogens",
            "Phlebotomy best practices",
            "Point-of-care testing webinar",
            "Medical terminology review",
            "Patient communication workshop",
            "Pharmacology for medical assistants",
            "Laboratory safety in-service",
            "Electronic health records training",
            "Diabetes management seminar",
            "Quality control in the clinical lab",
            "State society annual meeting session",
            "Ethics in allied health",
        ),
    ),
    "formal-education": CategoryShape(
        weight=6,
        low=300,
        high=1000,
        mode=500,
        days=(56, 120),
        one_day_share=0.0,
        titles=("Anatomy and Physiology II", "Microbiology", "Clinical Chemistry", "Statistics"),
    ),
    "authorship": CategoryShape(
        weight=2,
        low=200,
        high=1000,
        mode=500,
        days=(0, 0),
        one_day_share=1.0,
        titles=("Article: specimen handling errors", "Chapter: front-office workflows"),
    ),
    "instructional-presentations": CategoryShape(
        weight=7,
        low=100,
        high=500,
        mode=200,
        days=(0, 0),
        one_day_share=1.0,
        titles=("Presented: venipuncture technique", "Presented: lab safety for new staff"),
    ),
    "organizational-participation": CategoryShape(
        weight=5,
        low=100,
        high=500,
        mode=200,
        days=(30, 365),
        one_day_share=0.0,
        titles=("State society board member", "Education committee", "Annual convention delegate"),
    ),
    "employment-verification": CategoryShape(
        weight=10,
        low=300,
        high=1000,
        mode=600,
        days=(90, 365),
        one_day_share=0.0,
        titles=("Employment as a medical assistant", "Employment in the clinical laboratory"),
    ),
}
FALLBACK_CATEGORY = "professional-education"
"""Drawn instead of a category whose ``claimable_until`` passed before the cycle began."""
PROVIDERS = (
    "AMT",
    "AMT state society",
    "Employer in-service",
    "Community college",
    "CE webinar provider",
    "Hospital education department",
    "",
)

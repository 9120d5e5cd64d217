"""Word pools the demo draws from. Plausible, international, and obviously fictional
(555 / Ofcom drama numbers, example domains)."""

FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hannah", "Ian", "Julia",
    "Karim", "Laura", "Marco", "Nina", "Oliver", "Priya", "Quentin", "Rosa", "Samuel", "Tanja",
    "Umar", "Vera", "William", "Xenia", "Yusuf", "Zoe", "Jürgen", "Søren", "François", "Inés",
    "Chloé", "Mateo", "Björn", "Aoife", "Luca", "Sofia", "Noah", "Emma", "Liam", "Mia",
    "Jonas", "Lea", "Hugo", "Camille", "Diego", "Lucía", "Kenji", "Aiko", "Raj", "Meera",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Johnson", "Williams", "Brown", "García", "Martínez", "Dubois", "Lefèvre",
    "Rossi", "Bianchi", "Novak", "Kowalski", "Jensen", "Nielsen", "O'Brien", "Murphy", "Smith",
    "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Lee", "Walker", "Hall", "Young", "King",
    "Wright", "Lopez", "Hill", "Scott", "Green", "Baker", "Becker", "Hoffmann", "Schäfer", "Koch",
    "Richter", "Wolf", "Bauer", "Fischer", "Weber", "Meyer", "Wagner", "Sato", "Tanaka", "Patel",
    "Sharma", "Costa",
)
COMPANY_WORDS = (
    "Acme", "Blue", "North", "Summit", "Pioneer", "Vertex", "Harbor", "Granite", "Silver", "Atlas",
    "Nordic", "Alpine", "Cedar", "Orbit", "Beacon", "Crest", "Delta", "Evergreen", "Falcon", "Helix",
    "Iron", "Juniper", "Keystone", "Lumen", "Meridian", "Nova", "Oak", "Prism", "Quarry", "Riverside",
)
COMPANY_NOUNS = (
    "Logistics", "Health", "Foods", "Systems", "Manufacturing", "Energy", "Retail", "Finance",
    "Analytics", "Labs", "Freight", "Clinics", "Engineering", "Solutions", "Motors", "Pharma",
)
LEGAL_SUFFIXES = ("Inc.", "GmbH", "Ltd", "LLC", "SAS", "S.L.", "AG", "Corp.", "", "")
INDUSTRIES = (
    "Logistics", "Healthcare", "Manufacturing", "Retail", "Financial services", "Energy",
    "Software", "Food and beverage", "Pharmaceuticals", "Automotive",
)
# (title, seniority 0-3)
TITLES = (
    ("Chief Operating Officer", 3), ("VP Operations", 3), ("Head of Sales Operations", 2),
    ("Director of IT", 2), ("Operations Manager", 1), ("Procurement Manager", 1),
    ("IT Manager", 1), ("CFO", 3), ("Business Analyst", 0), ("Team Lead Dispatch", 0),
    ("Head of Customer Service", 2), ("Managing Director", 3),
)
# (city, region, ISO country, IANA tz, phone format with {n} digits to fill)
CITIES = (
    ("New York", "NY", "US", "America/New_York", "+1212555{:04d}"),
    ("Boston", "MA", "US", "America/New_York", "+1617555{:04d}"),
    ("Chicago", "IL", "US", "America/Chicago", "+1312555{:04d}"),
    ("Austin", "TX", "US", "America/Chicago", "+1512555{:04d}"),
    ("Denver", "CO", "US", "America/Denver", "+1303555{:04d}"),
    ("Seattle", "WA", "US", "America/Los_Angeles", "+1206555{:04d}"),
    ("San Francisco", "CA", "US", "America/Los_Angeles", "+1415555{:04d}"),
    ("Toronto", "ON", "CA", "America/Toronto", "+1416555{:04d}"),
    ("London", "England", "GB", "Europe/London", "+4420794{:05d}"),
    ("Manchester", "England", "GB", "Europe/London", "+4416149{:05d}"),
    ("Berlin", "Berlin", "DE", "Europe/Berlin", "+49305{:06d}"),
    ("München", "Bayern", "DE", "Europe/Berlin", "+49895{:06d}"),
    ("Hamburg", "Hamburg", "DE", "Europe/Berlin", "+49404{:06d}"),
    ("Paris", "Île-de-France", "FR", "Europe/Paris", "+3314{:07d}"),
    ("Lyon", "Auvergne-Rhône-Alpes", "FR", "Europe/Paris", "+3347{:07d}"),
    ("Madrid", "Madrid", "ES", "Europe/Madrid", "+34915{:06d}"),
    ("Amsterdam", "Noord-Holland", "NL", "Europe/Amsterdam", "+31205{:06d}"),
    ("Zürich", "Zürich", "CH", "Europe/Zurich", "+41445{:06d}"),
)
# name, source, cost, quality (multiplies the chance of progressing)
CAMPAIGNS = (
    ("Logistics Expo 2026 booth", "Trade show", 18000.0, 0.9),
    ("Ops Leaders webinar series", "Webinar", 4500.0, 1.1),
    ("Q3 vendor list: EU manufacturing", "List vendor", 6000.0, 0.45),
    ("Q4 vendor list: US healthcare", "List vendor", 7500.0, 0.5),
    ("Website demo requests", "Web form", 2500.0, 1.5),
    ("Pricing page chat", "Web form", 1200.0, 1.3),
    ("Customer referrals", "Referral", 0.0, 2.2),
    ("Partner referrals: Nordic", "Referral", 1500.0, 1.8),
    ("LinkedIn outreach: COOs", "LinkedIn", 3200.0, 0.8),
    ("Whitepaper: fleet costs", "Content download", 2800.0, 0.7),
)
FIELD_REPS = (
    ("Dana Whitfield", "dana.whitfield@example.com", "US East"),
    ("Marcus Oyelaran", "marcus.oyelaran@example.com", "US Central & West"),
    ("Ingrid Lindqvist", "ingrid.lindqvist@example.com", "Nordics & DACH"),
    ("Pierre Moreau", "pierre.moreau@example.com", "France & Benelux"),
    ("Sophie Carter", "sophie.carter@example.com", "UK & Ireland"),
    ("Javier Ortega", "javier.ortega@example.com", "Iberia & Canada"),
)
TERRITORY_BY_COUNTRY = {
    "US": (0, 1), "CA": (5,), "GB": (4,), "DE": (2,), "CH": (2,), "NL": (3,), "FR": (3,), "ES": (5,),
}
PAIN_POINTS = (
    ("Manual scheduling", "We still plan the routes on a whiteboard every morning; it takes two people until ten."),
    ("No real-time visibility", "When a customer calls, nobody can tell them where the truck is."),
    ("Spreadsheet reporting", "Month-end reporting is three days of copying between spreadsheets."),
    ("Compliance risk", "Our last audit found gaps in the driver hour logs; we can't afford another one."),
    ("High overtime cost", "Overtime went up 30% this year and we don't really know why."),
    ("Legacy system end of life", "The old dispatch system loses vendor support next June."),
    ("Slow onboarding", "A new dispatcher needs six weeks before they work on their own."),
    ("Customer churn", "We lost two big accounts over missed delivery windows."),
)
MOTIVATIONS = (
    "New COO wants measurable efficiency gains within the first year.",
    "Board asked for a cost-reduction plan before the next budget round.",
    "Growing 40% a year; the current process will not scale.",
    "Wants to be seen as the one who modernised operations.",
    "Merger: two teams, two systems, one process needed.",
)
COMPETITORS = ("Incumbent in-house tool", "Spreadsheets", "RouteMax", "DispatchPro", "Nothing yet")
NEXT_STEPS = (
    "Discovery meeting with the operations team",
    "Demo for the COO and the IT lead",
    "Workshop on current routing process",
    "Call with the budget holder",
)
CALL_NOTES = {
    "no_answer": None,
    "voicemail": "Left a short voicemail referring to the {campaign}.",
    "busy": None,
    "gatekeeper": "Reception says {first} is in meetings all day; try Thursday morning.",
    "not_interested": "Not a priority this year; happy with the current set-up.",
    "callback": "Asked to call back after the quarterly review.",
    "conversation": "Good conversation: {pain}",
    "meeting_set": "Meeting agreed with {first} and their IT lead.",
    "wrong_number": "Number belongs to someone else; need a new one.",
}
REJECT_REASONS = ("Too small for field sales", "Already in an active opportunity", "Timing: next fiscal year")
LOST_REASONS = ("Chose a competitor", "Project cancelled", "No budget after all")
NURTURE_REASONS = (
    "Timing: project next quarter or later",
    "Budget not yet approved",
    "Contract with current vendor runs on",
    "Early research",
)
DISQUALIFY_REASONS = (
    "No need", "Outside ideal customer profile", "Do not call", "Bad data", "Student or job seeker",
)

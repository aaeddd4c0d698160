"""Word lists the demo data builder draws from: people, companies, places and
the texts of subjects, notes and reasons. Plain data, so `demo.py` stays about
the shape of the data rather than its vocabulary."""

from __future__ import annotations

FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannah", "Ivan", "Julia",
    "Karim", "Laura", "Marco", "Nina", "Oskar", "Paula", "Quentin", "Rosa", "Stefan", "Tara",
    "Uwe", "Vera", "Wim", "Xenia", "Yusuf", "Zoe", "Amir", "Birgit", "Carlos", "Dana",
    "Emil", "Fatima", "Georg", "Helena", "Ingrid", "Jonas", "Katrin", "Lukas", "Maja", "Niklas",
    "Olga", "Pierre", "Ralf", "Sofia", "Tobias", "Ulrike", "Viktor", "Wiebke", "Aylin", "Bruno",
    "Chiara", "Daniel", "Eva", "Finn", "Gustav", "Hugo", "Isabel", "Jan", "Kerstin", "Leon",
    "Mia", "Noah", "Priya", "Sven", "Theo", "Lea", "Mateo", "Sara", "Omar", "Lina",
)

LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann",
    "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Walter", "König",
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Johnson", "Roberts",
    "Dubois", "Martin", "Bernard", "Moreau", "Laurent", "Garcia", "Fernández", "López",
    "Rossi", "Russo", "Ferrari", "Bianchi", "Jansen", "de Vries", "van Dijk", "Bakker",
    "Nowak", "Kowalski", "Novák", "Andersson", "Nilsson", "Hansen", "Larsen", "Virtanen",
    "Yilmaz", "Kaya", "Demir", "Okafor", "Mensah", "Tanaka", "Chen", "Kim", "Patel", "Singh",
    "O'Brien", "Murphy", "Costa", "Silva", "Horvat", "Papadopoulos", "Ivanova", "Berg",
)

COMPANY_HEADS = (
    "Nord", "Blue", "Alp", "Rhein", "Iron", "Silver", "Green", "Sun", "North", "Oak", "Elb",
    "Stern", "Falk", "Hansa", "Lumen", "Vector", "Delta", "Apex", "Cedar", "Granite", "Harbor",
    "Maple", "Nova", "Orbit", "Pioneer", "Quartz", "River", "Summit", "Terra", "Union",
    "Vista", "Wave", "Zenith", "Berg", "Brück", "Fjord", "Kron", "Mosel", "Polar", "Tauber",
)
COMPANY_TAILS = (
    "wind", "peak", "stone", "light", "field", "bridge", "works", "point", "line", "gate",
    "tec", "soft", "data", "mark", "port", "haus", "werk", "craft", "flow", "base",
    "star", "bay", "hill", "path", "forge",
)
COMPANY_KINDS = (
    "Logistics", "Systems", "Software", "Analytics", "Foods", "Engineering", "Energy",
    "Consulting", "Medical", "Robotics", "Textiles", "Media", "Packaging", "Labs",
    "Construction", "Mobility", "Retail", "Finance", "Pharma", "Solutions",
)
INDUSTRIES = (
    "Logistics", "Manufacturing", "Software", "Healthcare", "Retail", "Energy", "Finance",
    "Construction", "Food & Beverage", "Media", "Education", "Automotive", "Telecom",
)

# (country, legal suffixes, top-level domain, phone prefix, cities)
PLACES = (
    ("Germany", ("GmbH", "AG", "GmbH & Co. KG"), "de", "+49", ("Berlin", "Hamburg", "München", "Köln", "Leipzig", "Stuttgart")),
    ("Austria", ("GmbH", "AG"), "at", "+43", ("Wien", "Graz", "Linz", "Salzburg")),
    ("Switzerland", ("AG", "GmbH", "SA"), "ch", "+41", ("Zürich", "Basel", "Bern", "Genève")),
    ("Netherlands", ("B.V.", "N.V."), "nl", "+31", ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven")),
    ("France", ("SAS", "SARL", "SA"), "fr", "+33", ("Paris", "Lyon", "Toulouse", "Lille")),
    ("United Kingdom", ("Ltd", "plc", "LLP"), "co.uk", "+44", ("London", "Manchester", "Leeds", "Bristol")),
    ("United States", ("Inc.", "LLC", "Corp."), "com", "+1", ("Boston", "Chicago", "Austin", "Denver", "Seattle")),
    ("Poland", ("Sp. z o.o.", "S.A."), "pl", "+48", ("Warszawa", "Kraków", "Gdańsk", "Wrocław")),
)

TITLES = (
    "CEO", "CFO", "Head of Operations", "Purchasing Manager", "IT Director", "Office Manager",
    "Sales Director", "Project Lead", "Procurement Officer", "Head of Logistics",
    "Finance Manager", "Plant Manager", "CTO", "Assistant to the CEO", "Team Lead Support",
)

LEAD_SOURCES = (
    "web form", "referral", "trade show", "cold call", "partner", "webinar", "LinkedIn",
    "newsletter", "inbound call",
)
CAPTURED_SOURCES = ("web form", "webinar", "newsletter")
"""Sources whose touches came in through `crm intake` (the demo's intake log)."""
CAMPAIGNS = ("spring-promo", "autumn-webinar", "fleet-2026", "partner-week", "newsletter-42", "")
MEDIUMS = ("organic", "cpc", "email", "social", "referral", "")
PAGES = ("/pricing", "/demo", "/contact", "/product/fleet", "/product/analytics", "/blog/roi")
REFERRERS = ("https://www.google.com/", "https://www.linkedin.com/", "https://news.example.org/", "")

PRODUCTS = (
    "Fleet tracking", "Analytics suite", "Support contract", "Warehouse sensors", "Route planner",
    "Onboarding package", "Data platform", "Cold chain monitors", "Licence renewal",
    "Pilot project", "Integration", "Training days",
)
WON_REASONS = ("best price/performance", "strong demo", "existing relationship", "fast delivery", "integration fit")
LOST_REASONS = ("price too high", "chose competitor", "no budget", "project cancelled", "no decision", "timing")
UNQUALIFIED_REASONS = ("no budget", "student", "competitor", "too small", "no need")

CASE_SUBJECTS = (
    "Login fails after password reset", "Invoice shows wrong VAT", "Sensor offline since Monday",
    "Export to CSV is empty", "Request for additional user licences", "Delivery delayed",
    "Report takes minutes to load", "Wrong address on contract", "API returns error 500",
    "Training session needs rescheduling", "Damaged goods received", "Cannot add new vehicle",
)
ESCALATION_REASONS = ("customer threatens to cancel", "SLA breach imminent", "needs engineering", "key account")

ACTIVITY_SUBJECTS = {
    "call": ("Call {name}", "Follow-up call with {name}", "Qualify {name} by phone", "Check in with {name}"),
    "meeting": ("Meeting with {name}", "On-site visit {company}", "Review meeting {company}", "Kick-off with {name}"),
    "email": ("Send pricing to {name}", "Email {name} the case study", "Reply to {name}", "Send proposal to {company}"),
    "task": ("Prepare quote for {company}", "Update contract draft {company}", "Research {company}", "Check credit {company}"),
    "demo": ("Product demo for {company}", "Demo: analytics for {name}", "Online demo {company}"),
}
GENERIC_SUBJECTS = ("Follow up {name}", "Next step with {company}")
CANCEL_REASONS = ("customer cancelled", "duplicate", "no longer needed")

NOTE_TEXTS = {
    "phone": (
        "Spoke with {first}: interested, wants pricing by the end of the week.",
        "{first} asked for references from their industry.",
        "Discussed timeline with {first}; budget decision next quarter.",
        "{first} confirmed the meeting and will bring their IT lead.",
        "Short call, {first} is busy; call again after the trade show.",
    ),
    "voicemail": (
        "Left a voicemail for {first} about the follow-up.",
        "Voicemail: {first} is out of office until Monday.",
        "Left a message with the front desk for {first}.",
    ),
    "email": (
        "Sent {first} the brochure and the price list.",
        "{first} replied: forwarding to purchasing.",
        "Emailed the proposal draft to {first}.",
    ),
    "general": (
        "{company} is expanding to a second site next year.",
        "Competitor contract at {company} ends in March.",
        "Decision is made by the board; {first} prepares it.",
        "Met {first} at the trade show booth.",
    ),
}

EMAIL_TEMPLATES = (
    ("First contact", "Your enquiry at {company}",
     "Hello {first_name},\n\nthank you for your interest. When would suit you for a short call?\n\nBest regards\n{sender}"),
    ("Follow-up after call", "Our call today",
     "Hello {first_name},\n\nas promised, here is a summary of our call and the next steps.\n\nBest regards\n{sender}"),
    ("Proposal", "Proposal for {company}",
     "Hello {first_name},\n\nplease find our proposal attached. It is valid for 30 days.\n\nBest regards\n{sender}"),
    ("Meeting confirmation", "Confirming our meeting",
     "Hello {first_name},\n\nthis confirms our meeting. I look forward to seeing you.\n\nBest regards\n{sender}"),
    ("Case received", "We received your request",
     "Hello {first_name},\n\nwe have received your request and are working on it.\n\nBest regards\n{sender}"),
    ("Case resolved", "Your request is resolved",
     "Hello {first_name},\n\nyour request is resolved. Reply to this email if anything is still open.\n\nBest regards\n{sender}"),
)

# The people who use the demo CRM: (login, display name, role, time zone, capacity).
STAFF = (
    ("alex", "Alex Morgan", "rep", "Europe/Berlin", "420,420,420,420,360,0,0"),
    ("bea", "Bea Schneider", "rep", "Europe/Berlin", "420,420,420,420,420,0,0"),
    ("chris", "Chris Evans", "rep", "Europe/London", "450,450,450,450,300,0,0"),
    ("dana", "Dana Diaz", "rep", "America/New_York", "420,420,420,420,420,0,0"),
    ("emre", "Emre Kaya", "rep", "Europe/Istanbul", "480,480,480,480,240,0,0"),
)
MANAGER = ("mia", "Mia Hoffmann", "manager", "Europe/Berlin", "300,300,300,300,300,0,0")
ADMIN = ("sam", "Sam Okafor", "admin", "Europe/London", "240,240,240,240,240,0,0")
MORE_REP_ZONES = ("Europe/Berlin", "Europe/Paris", "Europe/London", "Europe/Madrid", "America/Chicago", "Europe/Warsaw")

TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "á": "a",
                          "ó": "o", "í": "i", "ñ": "n", "ń": "n", "č": "c", "ř": "r", "ś": "s",
                          "ł": "l", "ą": "a", "ę": "e", "ż": "z", "'": "", " ": ""})


def ascii_slug(text: str) -> str:
    """An e-mail friendly form of a name: 'Müller' -> 'mueller', "O'Brien" -> 'obrien'."""
    return text.lower().translate(TRANSLIT)

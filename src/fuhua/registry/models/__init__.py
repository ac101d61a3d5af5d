from .carrier import AssociationMembership, Carrier, Recognition
from .carrier_facts import CarrierStaffing, SeedFund
from .experts import Availability, DrawPurpose, ExpertDraw, ExpertProfile
from .firm import Firm, FirmDesignation, StartupTeam
from .firm_facts import FirmYearFigures, IntellectualProperty, Investment
from .organisation import Organisation
from .people import Education, Founder, FounderRole, InvestorProfile, MentorProfile, TalentTitle
from .region import Region

__all__ = [
    "AssociationMembership",
    "Availability",
    "Carrier",
    "CarrierStaffing",
    "DrawPurpose",
    "Education",
    "ExpertDraw",
    "ExpertProfile",
    "Firm",
    "FirmDesignation",
    "FirmYearFigures",
    "Founder",
    "FounderRole",
    "IntellectualProperty",
    "Investment",
    "InvestorProfile",
    "MentorProfile",
    "Organisation",
    "Recognition",
    "Region",
    "SeedFund",
    "StartupTeam",
    "TalentTitle",
]

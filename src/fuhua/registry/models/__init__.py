from .carrier import AssociationMembership, Carrier, Recognition
from .carrier_facts import CarrierStaffing, SeedFund
from .experts import Availability, DrawPurpose, ExpertDraw, ExpertProfile
from .firm import Firm, FirmDesignation, StartupTeam
from .firm_facts import FirmYearFigures, IntellectualProperty, Investment
from .organisation import Organisation
from .people import InvestorProfile, MentorProfile
from .region import Region

__all__ = [
    "AssociationMembership",
    "Availability",
    "Carrier",
    "CarrierStaffing",
    "DrawPurpose",
    "ExpertDraw",
    "ExpertProfile",
    "Firm",
    "FirmDesignation",
    "FirmYearFigures",
    "IntellectualProperty",
    "Investment",
    "InvestorProfile",
    "MentorProfile",
    "Organisation",
    "Recognition",
    "Region",
    "SeedFund",
    "StartupTeam",
]

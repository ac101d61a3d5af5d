from .carrier import AssociationMembership, Carrier, Recognition
from .firm import Firm, FirmDesignation, StartupTeam
from .organisation import Organisation
from .people import InvestorProfile, MentorProfile
from .region import Region

__all__ = [
    "AssociationMembership",
    "Carrier",
    "Firm",
    "FirmDesignation",
    "InvestorProfile",
    "MentorProfile",
    "Organisation",
    "Recognition",
    "Region",
    "StartupTeam",
]

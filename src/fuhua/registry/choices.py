"""Enumerations of the registry. Stored values are stable English codes; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhua.core.glossary import CARRIER_KINDS as KINDS
from fuhua.core.glossary import LEVELS, STATUSES


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    PREFECTURE = "prefecture", _("prefecture city")
    COUNTY = "county", _("district / county")


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    UNIVERSITY = "university", _("university")
    INSTITUTE = "institute", _("research institute")
    GOVERNMENT = "government", _("government body")
    PUBLIC_INSTITUTION = "public_institution", _("public institution")
    ASSOCIATION = "association", _("association")
    SERVICE_PROVIDER = "service_provider", _("service provider")
    INVESTOR = "investor", _("investment institution")
    OTHER = "other", _("other")


class Ownership(models.TextChoices):
    """Ownership type of a legal entity (企业登记注册类型, simplified to what policies distinguish)."""

    STATE_OWNED = "state_owned", _("state-owned")
    COLLECTIVE = "collective", _("collective")
    PRIVATE = "private", _("private")
    FOREIGN = "foreign", _("foreign-invested")
    HK_MACAO_TAIWAN = "hk_macao_taiwan", _("Hong Kong, Macao or Taiwan-invested")
    MIXED = "mixed", _("mixed ownership")
    PUBLIC_INSTITUTION = "public_institution", _("public institution")
    GOVERNMENT = "government", _("government body")
    SOCIAL = "social", _("social organisation")



class CarrierKind(models.TextChoices):
    MAKER_SPACE = "maker_space", KINDS["maker_space"]
    INCUBATOR = "incubator", KINDS["incubator"]
    ACCELERATOR = "accelerator", KINDS["accelerator"]
    UNIVERSITY_PARK = "university_park", KINDS["university_park"]
    RURAL_STAR = "rural_star", KINDS["rural_star"]
    RETURNEE_PARK = "returnee_park", KINDS["returnee_park"]
    COMMUNITY = "community", KINDS["community"]
    ENCLAVE = "enclave", KINDS["enclave"]
    OFFSHORE = "offshore", KINDS["offshore"]
    INDUSTRIAL_PARK = "industrial_park", KINDS["industrial_park"]
    DEMO_BASE = "demo_base", KINDS["demo_base"]


class DemoBaseType(models.TextChoices):
    REGIONAL = "regional", _("regional")
    UNIVERSITY = "university", _("university and institute")
    ENTERPRISE = "enterprise", _("enterprise")


class Specialisation(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("comprehensive")
    SPECIALISED = "specialised", _("specialised")


class IndustryField(models.TextChoices):
    ELECTRONIC_INFO = "electronic_info", _("electronic information")
    AI = "ai", _("artificial intelligence")
    INTEGRATED_CIRCUITS = "integrated_circuits", _("integrated circuits")
    BIOMEDICINE = "biomedicine", _("biomedicine")
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("advanced manufacturing")
    NEW_MATERIALS = "new_materials", _("new materials")
    NEW_ENERGY = "new_energy", _("new energy and energy saving")
    ENVIRONMENT = "environment", _("resources and environment")
    MODERN_AGRICULTURE = "modern_agriculture", _("modern agriculture")
    AEROSPACE = "aerospace", _("aerospace")
    DIGITAL_CREATIVE = "digital_creative", _("digital and cultural creative")
    MODERN_SERVICES = "modern_services", _("technology services")
    OTHER = "other", _("other")


class CarrierStatus(models.TextChoices):
    OPERATING = "operating", STATUSES["carrier_status"]["operating"]
    SUSPENDED = "suspended", STATUSES["carrier_status"]["suspended"]
    CLOSED = "closed", STATUSES["carrier_status"]["closed"]


class RecognitionLevel(models.TextChoices):
    NATIONAL = "national", LEVELS["national"]
    PROVINCIAL = "provincial", LEVELS["provincial"]
    MUNICIPAL = "municipal", LEVELS["municipal"]
    # 县级市级, e.g. 太仓市级: issued by a county-level city, not by a district of a prefecture city.
    COUNTY_CITY = "county_city", LEVELS["county_city"]
    DISTRICT = "district", LEVELS["district"]


class RecognitionKind(models.TextChoices):
    RECOGNITION = "recognition", _("recognition (认定)")
    FILING = "filing", _("filing (备案)")


class NationalGrade(models.TextChoices):
    STANDARD = "standard", _("standard grade (标准级)")
    EXCELLENCE = "excellence", _("excellence grade (卓越级)")


class SizeClass(models.TextChoices):
    MICRO = "micro", _("micro")
    SMALL = "small", _("small")
    MEDIUM = "medium", _("medium")
    LARGE = "large", _("large")


class DesignationKind(models.TextChoices):
    TECH_SME = "tech_sme", _("technology-based SME (科技型中小企业)")
    HIGH_TECH = "high_tech", _("high-tech enterprise (高新技术企业)")
    SRDI = "srdi", _("specialised and sophisticated SME (专精特新)")
    LITTLE_GIANT = "little_giant", _("'little giant' (专精特新小巨人)")
    GAZELLE = "gazelle", _("gazelle (瞪羚)")
    UNICORN = "unicorn", _("unicorn (独角兽)")


class ListingBoard(models.TextChoices):
    MAIN = "main", _("main board")
    STAR = "star", _("STAR market (科创板)")
    CHINEXT = "chinext", _("ChiNext (创业板)")
    BSE = "bse", _("Beijing Stock Exchange")
    NEEQ = "neeq", _("NEEQ (新三板)")
    HKEX = "hkex", _("Hong Kong")
    OVERSEAS = "overseas", _("overseas")


class InvestmentRound(models.TextChoices):
    SEED = "seed", _("seed")
    ANGEL = "angel", _("angel")
    PRE_A = "pre_a", _("pre-A")
    A = "a", _("series A")
    B = "b", _("series B")
    C = "c", _("series C")
    LATER = "later", _("later stage")
    STRATEGIC = "strategic", _("strategic")


class IpKind(models.TextChoices):
    INVENTION = "invention", _("invention patent")
    UTILITY = "utility", _("utility model")
    DESIGN = "design", _("design patent")
    SOFTWARE = "software", _("software copyright")
    IC_LAYOUT = "ic_layout", _("integrated circuit layout design")


PATENT_KINDS = (IpKind.INVENTION, IpKind.UTILITY, IpKind.DESIGN)


class FundOwnership(models.TextChoices):
    OWN = "own", _("own fund")
    PARTNER = "partner", _("partner fund")

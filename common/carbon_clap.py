"""Carbon'Clap's eight budget categories, and which of them each greenslate figure is keyed into.

Ecoprod's Carbon'Clap (the calculator the CNC accepts) splits a footprint by budget category; the
exports carry each figure's category so a coordinator re-keys it without sorting.
docs/carbon-clap.md maps every form section to a kind, or says why it is not covered.
"""

from __future__ import annotations

from enum import StrEnum

from domain.model import ReportKind


class ClapCategory(StrEnum):
    PRODUCTION = "production"
    FILMING_LOCATIONS = "filming_locations"
    SET_DESIGN = "set_design"
    HAIR_MAKEUP_COSTUME = "hair_makeup_costume"
    TRANSPORT = "transport"
    PRODUCTION_LOGISTICS = "production_logistics"
    TECHNICAL_EQUIPMENT = "technical_equipment"
    POST_PRODUCTION = "post_production"


#: The categories' names as Carbon'Clap's forms print them (French) and in English.
NAMES = {
    "fr": {
        ClapCategory.PRODUCTION: "Production",
        ClapCategory.FILMING_LOCATIONS: "Tournage / lieux",
        ClapCategory.SET_DESIGN: "Décors",
        ClapCategory.HAIR_MAKEUP_COSTUME: "HMC (habillage, maquillage, coiffure)",
        ClapCategory.TRANSPORT: "Transport",
        ClapCategory.PRODUCTION_LOGISTICS: "Régie",
        ClapCategory.TECHNICAL_EQUIPMENT: "Moyens techniques",
        ClapCategory.POST_PRODUCTION: "Post-production",
    },
    "en": {
        ClapCategory.PRODUCTION: "Production",
        ClapCategory.FILMING_LOCATIONS: "Filming locations",
        ClapCategory.SET_DESIGN: "Set design",
        ClapCategory.HAIR_MAKEUP_COSTUME: "Hair, make-up, costume",
        ClapCategory.TRANSPORT: "Transport",
        ClapCategory.PRODUCTION_LOGISTICS: "Production logistics",
        ClapCategory.TECHNICAL_EQUIPMENT: "Technical equipment",
        ClapCategory.POST_PRODUCTION: "Post-production",
    },
}

_BY_KIND = {
    ReportKind.MILEAGE: ClapCategory.TRANSPORT,
    ReportKind.TRAVEL: ClapCategory.TRANSPORT,
    ReportKind.FUEL: ClapCategory.TRANSPORT,
    ReportKind.FREIGHT: ClapCategory.TRANSPORT,
    ReportKind.MEALS: ClapCategory.PRODUCTION_LOGISTICS,
    ReportKind.ACCOMMODATION: ClapCategory.PRODUCTION_LOGISTICS,
    ReportKind.WASTE: ClapCategory.PRODUCTION_LOGISTICS,
    ReportKind.GENERATOR_HOURS: ClapCategory.TECHNICAL_EQUIPMENT,
    ReportKind.GENERATOR_LITRES: ClapCategory.TECHNICAL_EQUIPMENT,
    ReportKind.GRID_POWER: ClapCategory.TECHNICAL_EQUIPMENT,
    ReportKind.POST_PRODUCTION: ClapCategory.POST_PRODUCTION,
}

#: Purchases by item: materials and props build the sets, textiles and costumes dress the cast.
_PURCHASES = {
    "timber": ClapCategory.SET_DESIGN,
    "steel": ClapCategory.SET_DESIGN,
    "paint": ClapCategory.SET_DESIGN,
    "plaster": ClapCategory.SET_DESIGN,
    "textile": ClapCategory.HAIR_MAKEUP_COSTUME,
    "costume_new": ClapCategory.HAIR_MAKEUP_COSTUME,
    "costume_secondhand": ClapCategory.HAIR_MAKEUP_COSTUME,
    "costume_rented": ClapCategory.HAIR_MAKEUP_COSTUME,
    "prop_new": ClapCategory.SET_DESIGN,
    "prop_secondhand": ClapCategory.SET_DESIGN,
    "prop_rented": ClapCategory.SET_DESIGN,
    # Budget lines (spend_<category>) by what the money bought.
    "spend_set_construction": ClapCategory.SET_DESIGN,
    "spend_timber": ClapCategory.SET_DESIGN,
    "spend_furniture": ClapCategory.SET_DESIGN,
    "spend_manufactured_goods": ClapCategory.SET_DESIGN,
    "spend_chemicals": ClapCategory.SET_DESIGN,
    "spend_plastics": ClapCategory.SET_DESIGN,
    "spend_metal_products": ClapCategory.SET_DESIGN,
    "spend_textile_clothing": ClapCategory.HAIR_MAKEUP_COSTUME,
    "spend_electronics": ClapCategory.TECHNICAL_EQUIPMENT,
    "spend_machinery": ClapCategory.TECHNICAL_EQUIPMENT,
    "spend_equipment_repair": ClapCategory.TECHNICAL_EQUIPMENT,
    "spend_film_services": ClapCategory.POST_PRODUCTION,
    "spend_catering_accommodation": ClapCategory.PRODUCTION_LOGISTICS,
    "spend_food_drinks": ClapCategory.PRODUCTION_LOGISTICS,
    "spend_road_transport": ClapCategory.TRANSPORT,
    "spend_air_transport": ClapCategory.TRANSPORT,
    "spend_travel_agency": ClapCategory.TRANSPORT,
    "spend_real_estate": ClapCategory.FILMING_LOCATIONS,
    "spend_printing": ClapCategory.PRODUCTION,
    "spend_telecom": ClapCategory.PRODUCTION,
    "spend_insurance": ClapCategory.PRODUCTION,
    "spend_legal_accounting": ClapCategory.PRODUCTION,
}


def clap_category(kind: ReportKind, item: str) -> ClapCategory:
    """The Carbon'Clap category a figure of ``kind`` about ``item`` (its subject) is keyed into."""
    if kind is ReportKind.PURCHASES:
        return _PURCHASES.get(item, ClapCategory.PRODUCTION)  # an unlisted budget line: the office's
    return _BY_KIND[kind]

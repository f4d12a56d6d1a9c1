"""Denmark's five regions, and which one a Danish postal code lies in.

Postal numbers follow the post's sorting areas, not the regions' borders
(drawn in 2007 along municipal lines), so a table of number ranges is right
for most addresses and approximate near a border: a postal district that
straddles two municipalities is placed where most of it lies. The region is
only a coarse search filter, shown beside the city the freelancer published;
nothing legal depends on it.

The table (``DK_POSTAL_REGIONS``): PostNord's postal-number ranges, the
sorting areas mapped to the region of their municipality. First match wins;
a number in no range (Faroe Islands 3800-3899, Greenland 3900-3999, unused
numbers) has no region.

==========  =============  ===================================================
from        to             region (why)
==========  =============  ===================================================
0800        0999           Hovedstaden (business and box numbers: Taastrup,
                           Copenhagen)
1000        2669           Hovedstaden (Copenhagen, Frederiksberg, the suburbs)
2670        2699           Sjælland (Greve, Solrød Strand, Karlslunde)
2700        2999           Hovedstaden (northern and western suburbs)
3000        3699           Hovedstaden (North Zealand)
3700        3799           Hovedstaden (Bornholm)
4000        4049           Sjælland (Roskilde, Tune, Jyllinge)
4050        4050           Hovedstaden (Skibby, Frederikssund municipality)
4051        4999           Sjælland (Zealand, Lolland, Falster, Møn)
5000        5999           Syddanmark (Funen and its islands)
6000        6879           Syddanmark (South and Southwest Jutland)
6880        6999           Midtjylland (Tarm, Skjern, Ringkøbing, Ulfborg)
7000        7129           Syddanmark (Fredericia, Vejle)
7130        7171           Midtjylland (Hedensted: Juelsminde, Tørring, Uldum)
7172        7260           Syddanmark (Vejle, Billund, Grindsted)
7261        7299           Midtjylland (Herning: Stakroge, Sønder Felding)
7300        7329           Syddanmark (Jelling, Give)
7330        7699           Midtjylland (Brande, Herning, Holstebro, Struer,
                           Lemvig)
7700        7799           Nordjylland (Thy)
7800        7899           Midtjylland (Skive, Vinderup)
7900        7999           Nordjylland (Mors)
8000        8999           Midtjylland (Aarhus, Horsens, Randers, Viborg,
                           Silkeborg, Djursland)
9000        9631           Nordjylland
9632        9632           Midtjylland (Møldrup, Viborg municipality)
9633        9999           Nordjylland
==========  =============  ===================================================
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    HOVEDSTADEN = "hovedstaden", _("Capital Region (Hovedstaden)")
    SJAELLAND = "sjaelland", _("Zealand (Sjælland)")
    SYDDANMARK = "syddanmark", _("Southern Denmark (Syddanmark)")
    MIDTJYLLAND = "midtjylland", _("Central Denmark (Midtjylland)")
    NORDJYLLAND = "nordjylland", _("North Denmark (Nordjylland)")


#: (first, last, region): inclusive ranges of four-digit postal numbers, in
#: order, not overlapping. The migration that filled existing rows
#: (``0004_freelancer_region``) holds a frozen copy.
DK_POSTAL_REGIONS: tuple[tuple[int, int, str], ...] = (
    (800, 999, Region.HOVEDSTADEN),
    (1000, 2669, Region.HOVEDSTADEN),
    (2670, 2699, Region.SJAELLAND),
    (2700, 2999, Region.HOVEDSTADEN),
    (3000, 3699, Region.HOVEDSTADEN),
    (3700, 3799, Region.HOVEDSTADEN),
    (4000, 4049, Region.SJAELLAND),
    (4050, 4050, Region.HOVEDSTADEN),
    (4051, 4999, Region.SJAELLAND),
    (5000, 5999, Region.SYDDANMARK),
    (6000, 6879, Region.SYDDANMARK),
    (6880, 6999, Region.MIDTJYLLAND),
    (7000, 7129, Region.SYDDANMARK),
    (7130, 7171, Region.MIDTJYLLAND),
    (7172, 7260, Region.SYDDANMARK),
    (7261, 7299, Region.MIDTJYLLAND),
    (7300, 7329, Region.SYDDANMARK),
    (7330, 7699, Region.MIDTJYLLAND),
    (7700, 7799, Region.NORDJYLLAND),
    (7800, 7899, Region.MIDTJYLLAND),
    (7900, 7999, Region.NORDJYLLAND),
    (8000, 8999, Region.MIDTJYLLAND),
    (9000, 9631, Region.NORDJYLLAND),
    (9632, 9632, Region.MIDTJYLLAND),
    (9633, 9999, Region.NORDJYLLAND),
)

_FOUR_DIGITS = re.compile(r"(?:DK-?)?\s*([0-9]{4})")


def region_for_postal_code(*, country: str, postal_code: str) -> str:
    """The region (a ``Region`` value) of a Danish postal code, or "".

    Only for ``country`` DK; the code may be written "8000", "DK-8000" or
    "DK 8000". Anything else, or a number in no range, has no region.
    """
    if str(country or "").upper() != "DK":
        return ""
    match = _FOUR_DIGITS.fullmatch((postal_code or "").strip().upper())
    if match is None:
        return ""
    number = int(match.group(1))
    for first, last, region in DK_POSTAL_REGIONS:
        if first <= number <= last:
            return str(region)
    return ""

"""How the 14 data.police.uk categories relate to Home Office / ONS offence groups.

data.police.uk publishes street-level crime in 14 broad categories; the Home
Office and ONS publish police recorded crime by offence group. Neither is a
subdivision of the other everywhere, so comparisons go through a small set of
**common groups** that both map onto without splitting anything:

=================================  ===================================================  =================================
common group                       data.police.uk categories                            Home Office / ONS offence groups
=================================  ===================================================  =================================
Violence and sexual offences       Violence and sexual offences                         Violence against the person;
                                                                                        Sexual offences (ONS detail:
                                                                                        Homicide, Death or serious injury
                                                                                        - unlawful driving, Violence with
                                                                                        injury, Violence without injury,
                                                                                        Stalking and harassment)
Robbery                            Robbery                                              Robbery
Theft (incl. burglary, vehicle)    Burglary; Vehicle crime; Theft from the person;      Theft offences (ONS detail:
                                   Bicycle theft; Shoplifting; Other theft              Residential / Non-residential
                                                                                        burglary, Vehicle offences, Theft
                                                                                        from the person, Bicycle theft,
                                                                                        Shoplifting, Other theft offences)
Criminal damage and arson          Criminal damage and arson                            Criminal damage and arson
Drugs                              Drugs                                                Drug offences
Possession of weapons              Possession of weapons                                Possession of weapons offences
Public order                       Public order                                         Public order offences
Other crime                        Other crime                                          Miscellaneous crimes against society
(not recorded crime)               Anti-social behaviour                                -- (ASB incidents are not crimes)
(not in street data)               --                                                   Fraud offences (recorded centrally
                                                                                        by Action Fraud since 2013/14)
=================================  ===================================================  =================================

Street-level counts are not police recorded crime: they are the crimes
published with a location on data.police.uk (and some without one), after
re-classification; expect differences of a few per cent at force level.
"""

from __future__ import annotations

import pandas as pd

ASB = "Anti-social behaviour"
VIOLENCE = "Violence and sexual offences"
THEFT = "Theft (incl. burglary, vehicle)"

#: data.police.uk category -> common group (ASB stays itself: it is not recorded crime).
POLICEUK_TO_COMMON: dict[str, str] = {
    "Anti-social behaviour": ASB,
    "Violence and sexual offences": VIOLENCE,
    "Robbery": "Robbery",
    "Burglary": THEFT,
    "Vehicle crime": THEFT,
    "Theft from the person": THEFT,
    "Bicycle theft": THEFT,
    "Shoplifting": THEFT,
    "Other theft": THEFT,
    "Criminal damage and arson": "Criminal damage and arson",
    "Drugs": "Drugs",
    "Possession of weapons": "Possession of weapons",
    "Public order": "Public order",
    "Other crime": "Other crime",
}

#: Home Office / ONS offence group (top level or ONS detail) -> common group.
HO_TO_COMMON: dict[str, str] = {
    "Violence against the person": VIOLENCE,
    "Homicide": VIOLENCE,
    "Death or serious injury - unlawful driving": VIOLENCE,
    "Violence with injury": VIOLENCE,
    "Violence without injury": VIOLENCE,
    "Stalking and harassment": VIOLENCE,
    "Sexual offences": VIOLENCE,
    "Robbery": "Robbery",
    "Theft offences": THEFT,
    "Residential burglary": THEFT,
    "Non-residential burglary": THEFT,
    "Vehicle offences": THEFT,
    "Theft from the person": THEFT,
    "Bicycle theft": THEFT,
    "Shoplifting": THEFT,
    "Other theft offences": THEFT,
    "Criminal damage and arson": "Criminal damage and arson",
    "Drug offences": "Drugs",
    "Possession of weapons offences": "Possession of weapons",
    "Public order offences": "Public order",
    "Miscellaneous crimes against society": "Other crime",
    "Fraud offences": "Fraud",
}

COMMON_GROUPS = tuple(dict.fromkeys([*POLICEUK_TO_COMMON.values(), *HO_TO_COMMON.values()]))


def to_common(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with categories mapped to the common groups and counts summed.

    Raises
    ------
    KeyError
        A category that neither mapping knows, named in the message.
    """
    mapping = {**HO_TO_COMMON, **POLICEUK_TO_COMMON}
    cats = panel["category"].astype(str)
    unknown = sorted(set(cats) - set(mapping))
    if unknown:
        raise KeyError(f"categories with no common group: {', '.join(unknown)}; add them to workbench.data.categories")
    out = panel.assign(category=cats.map(mapping))
    keys = [c for c in out.columns if c != "count"]
    return out.groupby(keys, observed=True, as_index=False, sort=False)["count"].sum()

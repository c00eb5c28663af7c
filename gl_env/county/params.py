"""The county's coupling rules as validated data, and the named county scenarios.

:class:`CountyParams` holds how a county couples its villages (see :mod:`gl_env.core.county`
for the arithmetic) and how its villages differ; every field has a unit, an allowed range and
a meaning (:func:`county_param_table`) and can be overridden as a keyword of
:func:`gl_env.county.parallel_env`. A :class:`CountyScenario` names a village scenario
(:mod:`gl_env.scenarios`) and the county's rules.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gl_env.core.county import COUPLING_NAMES
from gl_env.core.params import FieldSpec, _check_number


def _c(default: float, low: float, high: float, unit: str, doc: str, kind: str = "float") -> Any:
    return field(default=default, metadata={"spec": FieldSpec(low, high, unit, doc, "county", kind)})


@dataclass(frozen=True)
class CountyParams:
    """A county's coupling rules and the spread of its villages. Defaults: no coupling at all
    (every village alone, bit for bit the single env)."""

    quota_coupling: float = _c(
        0.0, 0.0, 1.0, "share", "weight of the county's allotment in each village's due (0: own rule)"
    )
    county_ratchet: float = _c(
        0.0,
        0.0,
        1.0,
        "share",
        "share of the rise of this year's summed reports over last year's added to the county quota",
    )
    allotment_report_share: float = _c(
        1.0, 0.0, 1.0, "share", "county quota allotted by share of reports (1) or by fixed key of normal harvest (0)"
    )
    yardstick: float = _c(
        0.0, 0.0, 1.0, "share", "share of the gap to the county's reference report ratio added to next year's target"
    )
    yardstick_best: int = _c(
        1, 0, 1, "flag", "yardstick reference: the county's best (1) or mean (0) report ratio", "int"
    )
    tournament_credit: float = _c(
        0.0, 0.0, 0.5, "standing", "standing the top reporters gain and the bottom lose each autumn"
    )
    tournament_share: float = _c(
        0.25, 0.0, 0.5, "share", "share of the county's villages in the top (and in the bottom) group"
    )
    county_audit_probability: float = _c(
        0.0, 0.0, 1.0, "probability", "chance per autumn that a county work team audits every village"
    )
    county_weather_sd: float = _c(
        0.0, 0.0, 0.4, "relative s.d.", "weather noise the county's villages share, on top of each one's own"
    )
    land_spread: float = _c(
        0.0, 0.0, 0.5, "share", "villages' land per person spread evenly over +-this share of the scenario's"
    )
    publish_standing: int = _c(0, 0, 1, "flag", "peers' standing published (observed) or not", "int")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            _check_number(f.name, f.metadata["spec"], getattr(self, f.name))

    def replace(self, **overrides: Any) -> CountyParams:
        """A copy with ``overrides``; unknown names raise ``TypeError`` listing the fields."""
        unknown = sorted(set(overrides) - set(COUNTY_PARAM_NAMES))
        if unknown:
            raise TypeError(
                f"unknown county parameter(s) {', '.join(unknown)}; allowed: {', '.join(COUNTY_PARAM_NAMES)}"
            )
        return dataclasses.replace(self, **overrides)

    def coupling(self) -> np.ndarray:
        """The kernel's coupling row ``(1, len(COUPLING_NAMES))`` (:class:`~gl_env.core.county.Coupling`)."""
        return np.asarray([[float(getattr(self, name)) for name in COUPLING_NAMES]])

    @property
    def coupled(self) -> bool:
        """Whether any rule couples the villages."""
        return any(getattr(self, name) for name in COUPLING_RULES)


COUNTY_PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(CountyParams))
assert set(COUPLING_NAMES) <= set(COUNTY_PARAM_NAMES)
# The rules that couple a county's villages; all at 0 (UNCOUPLED), each village plays alone.
COUPLING_RULES: tuple[str, ...] = (
    "quota_coupling",
    "yardstick",
    "tournament_credit",
    "county_audit_probability",
    "county_weather_sd",
)
UNCOUPLED: dict[str, float] = dict.fromkeys(COUPLING_RULES, 0.0)


def county_param_table() -> list[tuple[str, str, str, str, str]]:
    """Rows (name, group, allowed range, unit, meaning) documenting every county field."""
    rows = []
    for f in dataclasses.fields(CountyParams):
        s: FieldSpec = f.metadata["spec"]
        rows.append((f.name, s.group, f"{s.low:g} to {s.high:g}", s.unit, s.doc))
    return rows


@dataclass(frozen=True)
class CountyScenario:
    """A named county: its villages' scenario and its coupling rules."""

    name: str
    description: str
    village_scenario: str
    county: CountyParams


# The values are judgements (the brief describes the institutions, not their magnitudes): 1958
# passed quotas down on reports, set targets by the best "satellite" yields and ranked cadres
# under red and white flags; the reform allots by a fixed key and audits instead. The shared
# weather's s.d. is the villages' own (historical-1958's weather_sd).
COUNTY_1958 = CountyScenario(
    "county-1958",
    "historical-1958 villages; county quota on summed reports with a full ratchet, allotted mostly on "
    "reports; yardstick targets from the best report; a promotion tournament; standing published",
    "historical-1958",
    CountyParams(
        quota_coupling=1.0,
        county_ratchet=1.0,
        allotment_report_share=0.7,
        yardstick=0.5,
        yardstick_best=1,
        tournament_credit=0.05,
        tournament_share=0.25,
        county_weather_sd=0.05,
        land_spread=0.2,
        publish_standing=1,
    ),
)
COUNTY_REFORM = CountyScenario(
    "county-reform",
    "reform villages; county quota on last year's summed reports without ratchet, allotted by a fixed "
    "key; no yardstick, no tournament; county work-team audits",
    "reform",
    CountyParams(
        quota_coupling=1.0,
        county_ratchet=0.0,
        allotment_report_share=0.0,
        county_audit_probability=0.3,
        county_weather_sd=0.05,
        land_spread=0.2,
    ),
)
COUNTY_SCENARIOS: dict[str, CountyScenario] = {s.name: s for s in (COUNTY_1958, COUNTY_REFORM)}


def get_county_scenario(name: str) -> CountyScenario:
    """The county scenario called ``name``; unknown names raise ``ValueError`` listing the choices."""
    try:
        return COUNTY_SCENARIOS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown county scenario {name!r}; allowed: {', '.join(COUNTY_SCENARIOS)}") from None

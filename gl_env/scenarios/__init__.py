"""Scenarios: named bundles of mechanism, village, climate timeline and shocks, kept as data.

A :class:`Scenario` holds plain values and calendar-year timelines; :func:`make_params`
resolves it for a horizon and applies a user's overrides, returning validated
:class:`~gl_env.core.params.Params`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.core.params import PARAM_NAMES, TIMELINE_NAMES, Params

# One value for the whole year, or four (spring, summer, autumn, winter).
YearValue = float | tuple[float, float, float, float]


@dataclass(frozen=True)
class Scenario:
    """A named world: ``values`` for scalar fields, ``timeline`` by calendar year for climate fields.

    Years before the first listed take its value, years after the last keep the last value.
    An override of a field the scenario randomises fixes that field at the given value.
    """

    name: str
    description: str
    values: Mapping[str, Any] = field(default_factory=dict)
    timeline: Mapping[str, Mapping[int, YearValue]] = field(default_factory=dict)

    def params(self, **overrides: Any) -> Params:
        """Validated params for this scenario, with ``overrides`` (any :class:`Params` field)."""
        unknown = sorted(set(overrides) - set(PARAM_NAMES))
        if unknown:
            raise TypeError(
                f"unknown parameter(s) {', '.join(unknown)} for scenario {self.name!r}; "
                f"allowed: {', '.join(PARAM_NAMES)}"
            )
        horizon = {k: overrides.get(k, self.values.get(k, getattr(Params, k))) for k in ("start_year", "num_years")}
        # Validate the horizon first: the timelines are resolved for it.
        checked = Params(**horizon)
        horizon = {"start_year": checked.start_year, "num_years": checked.num_years}
        resolved = {name: self._resolve(name, **horizon) for name in self.timeline}
        values = {**self.values, **resolved}
        if "randomize" in overrides:
            params = Params(**{**values, **overrides})
            both = sorted({name for name, _, _ in params.randomize} & set(overrides))
            if both:
                raise ValueError(
                    f"{', '.join(both)} both set and randomized; set a value (it is then fixed) "
                    "or list the field in randomize, not both"
                )
            return params
        # A value the user sets is the value played: it is taken out of the scenario's randomisation.
        if values.get("randomize"):
            drawn = Params(randomize=values["randomize"]).randomize
            values["randomize"] = tuple(r for r in drawn if r[0] not in overrides)
        return Params(**{**values, **overrides})

    def _resolve(self, name: str, start_year: int, num_years: int) -> tuple[float, ...]:
        by_year = self.timeline[name]
        years = sorted(by_year)
        seasons: list[float] = []
        for year in range(start_year, start_year + num_years):
            nearest = min(max(year, years[0]), years[-1])
            value = by_year[max(y for y in years if y <= nearest)]
            seasons.extend([float(value)] * SEASONS_PER_YEAR if isinstance(value, int | float) else map(float, value))
        return tuple(seasons)

    def __post_init__(self) -> None:
        for name in self.timeline:
            if name not in TIMELINE_NAMES:
                raise ValueError(
                    f"scenario {self.name!r}: {name!r} is not a timeline field; allowed: {', '.join(TIMELINE_NAMES)}"
                )


from gl_env.scenarios.historical import HISTORICAL_1958  # noqa: E402
from gl_env.scenarios.randomized import RANDOMIZED  # noqa: E402
from gl_env.scenarios.reform import REFORM  # noqa: E402

SCENARIOS: dict[str, Scenario] = {s.name: s for s in (HISTORICAL_1958, REFORM, RANDOMIZED)}


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name``; unknown names raise ``ValueError`` listing the choices."""
    try:
        return SCENARIOS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}") from None


def make_params(scenario: str = "historical-1958", **overrides: Any) -> Params:
    """Params of a named scenario with overrides, e.g. ``make_params("reform", audit_probability=0.3)``."""
    return get_scenario(scenario).params(**overrides)


__all__ = ["SCENARIOS", "Scenario", "get_scenario", "make_params"]

"""A county's review: the reduction over its villages' reports between the kernel's two passes.

A county is a run of consecutive villages of the batch (``county_start[c]`` to
``county_start[c + 1]``). In autumn, once every village has reported
(:func:`~gl_env.core.dynamics.until_report`) and before any is procured from
(:func:`~gl_env.core.dynamics.from_procurement`), :func:`county_review` reads the county's
reports and writes the ``county_*`` fields of each village's midseason row, by the coupling
rules in ``coupling`` (columns :class:`Coupling`; one row for every county, or one per county):

- county weather: every village's harvest is multiplied by one factor per county and autumn,
  1 + ``county_weather_sd`` x a triangular draw of unit variance (held at 0 or above): the
  weather the villages share, on top of each one's own (``weather_sd``); what depends on the
  harvest before the procurement (store, concealment, report, the audit's estimate) follows;
- county audit: with probability ``county_audit_probability`` (one draw per county and
  season) a work team audits every village of the county (harvest and steel);
- county quota: the county owes ``procurement_rate`` x (the sum of last year's reports +
  ``county_ratchet`` x the rise of this year's sum above it, if any); each village is allotted
  a share of it: ``allotment_report_share`` x its share of this year's reports + the rest x its
  fixed key (its share of the county's normal harvest). Its due is ``quota_coupling`` x that
  allotment (with the Soviet surcharge) + the rest x its own rule;
- yardstick: next year's target is raised toward the county's best (``yardstick_best`` = 1)
  or mean report ratio (report / normal harvest) times the village's normal harvest, by the
  share ``yardstick``; it never falls;
- tournament: villages ranked by report ratio (ties by position); the top
  ``tournament_share`` of the county gain ``tournament_credit`` standing, the bottom as many lose it.

All rules at zero, and no county at all (``county_start`` empty), leave every village as alone.
"""

from __future__ import annotations

from enum import IntEnum

from numba import njit

from gl_env.core.dynamics import MidseasonColumn as M
from gl_env.core.dynamics import maximum, procurement_due, village_normal_kg
from gl_env.core.params import Climate as C
from gl_env.core.params import Value as V
from gl_env.core.random import counter_stream, season_uniforms, splitmix64
from gl_env.core.state import DecisionColumn as D
from gl_env.core.state import StateColumn as S

COUPLING_NAMES: tuple[str, ...] = (
    "quota_coupling",
    "county_ratchet",
    "allotment_report_share",
    "yardstick",
    "yardstick_best",
    "tournament_credit",
    "tournament_share",
    "county_audit_probability",
    "county_weather_sd",
)
Coupling = IntEnum("Coupling", COUPLING_NAMES, start=0)
Coupling.__doc__ = "Column of the coupling rules' array (see :class:`gl_env.county.params.CountyParams`)."
# The county's own draws (its first village's key, hashed apart from every village's streams).
COUNTY_STREAM = counter_stream(-3, 0)
_TINY = 1e-12
_TRIANGULAR_TO_UNIT = 6.0**0.5

_jit = njit(cache=True, fastmath=False)


@_jit
def _share_weather(m, d, factor):
    """Scale one village's harvest in ``m`` by ``factor``, and what the first pass derived from it
    (:func:`~gl_env.core.dynamics.until_report`: concealment is a share of the store after the harvest)."""
    added = (factor - 1.0) * m[M.harvest_kg]
    before = m[M.store_kg] + m[M.concealed_kg] + added
    concealed = d[D.conceal_share] * before
    m[M.hidden_kg] = m[M.hidden_kg] - m[M.concealed_kg] + concealed
    m[M.store_kg] = before - concealed
    m[M.concealed_kg] = concealed
    m[M.harvest_kg] = m[M.harvest_kg] * factor
    m[M.reported_kg] = m[M.harvest_kg] * d[D.report_ratio]
    m[M.audit_estimate_kg] = m[M.audit_estimate_kg] * factor


@_jit
def county_review(
    county_start, coupling, values, timeline, soviet_season, param_row, t, key, floats, decisions, restart, midseason
):  # fmt: skip
    """Write the county fields of ``midseason`` for every county in autumn (see the module docstring).

    Villages that ``restart`` play no season and take no part. Nothing happens outside autumn.
    """
    for c in range(county_start.shape[0] - 1):
        a, b = county_start[c], county_start[c + 1]
        if b <= a or restart[a] or (t[a] & 3) != 2:
            continue
        g = coupling[c if coupling.shape[0] > 1 else 0]
        audit_u, weather_u0, weather_u1, _ = season_uniforms(splitmix64(key[a], COUNTY_STREAM), t[a], 0)
        team = audit_u < g[Coupling.county_audit_probability]
        if g[Coupling.county_weather_sd] > 0.0:
            shock = 1.0 + g[Coupling.county_weather_sd] * (weather_u0 + weather_u1 - 1.0) * _TRIANGULAR_TO_UNIT
            for i in range(a, b):
                _share_weather(midseason[i], decisions[i], maximum(shock, 0.0))
        this_sum, last_sum, normal_sum, best, ratio_sum = 0.0, 0.0, 0.0, 0.0, 0.0
        for i in range(a, b):
            row = param_row[i]
            m = midseason[i]
            if team:
                m[M.inspected] = 1.0
                m[M.audited] = 1.0
            normal = village_normal_kg(values[row], floats[i])
            ratio = m[M.reported_kg] / normal
            this_sum += m[M.reported_kg]
            last_sum += floats[i, S.reported_kg]
            normal_sum += normal
            ratio_sum += ratio
            best = ratio if ratio > best else best
        n = b - a
        mean = ratio_sum / n
        basis = last_sum + g[Coupling.county_ratchet] * maximum(this_sum - last_sum, 0.0)
        top = g[Coupling.tournament_share] * n
        for i in range(a, b):
            row = param_row[i]
            p, m, s = values[row], midseason[i], floats[i]
            cl = timeline[row, min(t[i], timeline.shape[1] - 1)]
            normal = village_normal_kg(p, s)
            if g[Coupling.quota_coupling] > 0.0:
                soviet = 1.0 if t[i] >= soviet_season[row] else 0.0
                own = procurement_due(p, cl, s, m[M.reported_kg], m[M.audited], m[M.audit_estimate_kg], soviet)
                report_share = m[M.reported_kg] / this_sum if this_sum > _TINY else normal / normal_sum
                share = g[Coupling.allotment_report_share] * report_share + (
                    1.0 - g[Coupling.allotment_report_share]
                ) * (normal / normal_sum)
                allotted = (
                    cl[C.procurement_rate]
                    * s[S.procurement_zeal]
                    * share
                    * basis
                    * (1.0 + soviet * p[V.soviet_procurement_surcharge])
                )
                m[M.county_due_kg] = g[Coupling.quota_coupling] * allotted + (1.0 - g[Coupling.quota_coupling]) * own
            if g[Coupling.yardstick] > 0.0:
                reference = best if g[Coupling.yardstick_best] > 0.5 else mean
                rise = maximum(reference * normal - s[S.target_kg], 0.0)
                m[M.yardstick_target_kg] = s[S.target_kg] + g[Coupling.yardstick] * rise
            if g[Coupling.tournament_credit] > 0.0 and n > 1:
                ratio = m[M.reported_kg] / normal
                rank = 0
                for j in range(a, b):
                    other = midseason[j, M.reported_kg] / village_normal_kg(
                        values[param_row[j]], floats[j]
                    )
                    if other > ratio or (other == ratio and j < i):
                        rank += 1
                if rank < top:
                    m[M.tournament_credit] = g[Coupling.tournament_credit]
                elif rank >= n - top:
                    m[M.tournament_credit] = -g[Coupling.tournament_credit]

"""The county features appended to each village's observation: how it stands among its peers.

Computed from the state after a step (last autumn's reports and procurement), over each
county's villages at once (arrays ``(counties, villages)``):

====  =========================  ==========  ========  =============================================
col   name                       range       unit      meaning
====  =========================  ==========  ========  =============================================
45    report_rank                0 to 1      rank      own last report ratio's rank in the county:
                                                       0 the highest, 1 the lowest (0 when alone)
46    county_mean_report_ratio   0 to 5      ratio     mean of the county's last reports / their
                                                       villages' normal harvests
47    county_best_report_ratio   0 to 5      ratio     the highest of those ratios
48    quota_share                0 to 1      share     own share of the county's last procurement
49    peers_standing             0 to 1      standing  mean standing of the other villages, where
                                                       ``publish_standing``; else 0
====  =========================  ==========  ========  =============================================

Ratios above 5 are shown as 5 (the bound).
"""

from __future__ import annotations

import numpy as np

from gl_env.core.state import StateColumn as S

COUNTY_FEATURES: tuple[str, ...] = (
    "report_rank",
    "county_mean_report_ratio",
    "county_best_report_ratio",
    "quota_share",
    "peers_standing",
)
FEATURES_LOW = np.zeros(len(COUNTY_FEATURES))
FEATURES_HIGH = np.array([1.0, 5.0, 5.0, 1.0, 1.0])


def county_features(floats: np.ndarray, normal_kg: np.ndarray, num_villages: int, publish_standing: bool) -> np.ndarray:
    """The features ``(N, 5)`` float32 of villages grouped ``num_villages`` by ``num_villages`` into counties,
    from the state floats ``(N, len(STATE_FLOATS))`` and the normal harvests ``(N,)`` kg."""
    v = num_villages
    ratio = (floats[:, S.reported_kg] / normal_kg).reshape(-1, v)
    order = np.argsort(-ratio, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(v), axis=1)
    procured = floats[:, S.procurement_kg].reshape(-1, v)
    total = procured.sum(axis=1, keepdims=True)
    share = np.divide(procured, total, out=np.full_like(procured, 1.0 / v), where=total > 0.0)
    standing = floats[:, S.standing].reshape(-1, v)
    peers = (standing.sum(axis=1, keepdims=True) - standing) / max(v - 1, 1)
    out = np.empty((ratio.shape[0], v, len(COUNTY_FEATURES)))
    out[..., 0] = rank / max(v - 1, 1)
    out[..., 1] = ratio.mean(axis=1, keepdims=True)
    out[..., 2] = ratio.max(axis=1, keepdims=True)
    out[..., 3] = share
    out[..., 4] = peers if publish_standing and v > 1 else 0.0
    return np.clip(out.reshape(-1, len(COUNTY_FEATURES)), FEATURES_LOW, FEATURES_HIGH).astype(np.float32)

"""``render_mode="ansi"``: a season report a person can read, built from one village's ``info``."""

from __future__ import annotations

from typing import Any

from gl_env.core.constants import SEASONS

_SEASON_TITLES = {
    "spring": "Spring (sowing)",
    "summer": "Summer (growing)",
    "autumn": "Autumn (harvest and procurement)",
    "winter": "Winter (slack season, works)",
}


def season_report(info: dict[str, Any], opening: bool = False) -> str:
    """A few lines on what was grown, reported, taken, eaten, and who died."""
    season = SEASONS[int(info["season"])]
    title = f"{_SEASON_TITLES[season]} {int(info['year'])}"
    if opening:
        return (
            f"== Before {title} ==\n"
            f"  Village of {info['population']:,.0f}; collective store {info['store_kg'] / 1000:,.1f} t, "
            f"hidden {info['hidden_kg'] / 1000:,.1f} t; your standing {info['standing']:.2f}.\n"
        )
    lines = [f"== {title} =="]
    if info["harvest_kg"] > 0:
        lines.append(
            f"  Harvest {info['harvest_kg'] / 1000:,.1f} t; you reported {info['reported_kg'] / 1000:,.1f} t "
            f"(x{info['report_ratio']:.2f})."
        )
        lines.append(
            f"  The state demanded {info['procurement_due_kg'] / 1000:,.1f} t and took "
            f"{info['procurement_kg'] / 1000:,.1f} t; relief returned {info['relief_kg'] / 1000:,.1f} t."
        )
    if info["confiscated_kg"] > 0:
        lines.append(f"  Anti-hiding searchers found and took {info['confiscated_kg'] / 1000:,.1f} t of hidden grain.")
    if info["steel_kg"] > 0:
        lines.append(
            f"  Furnaces made {info['steel_kg'] / 1000:,.2f} t of iron; "
            f"reported {info['reported_steel_kg'] / 1000:,.2f} t."
        )
    if info["seed_kg"] > 0:
        lines.append(f"  Sown with {info['seed_kg'] / 1000:,.1f} t of seed grain.")
    if info["concealed_kg"] > 0:
        lines.append(f"  Hid {info['concealed_kg'] / 1000:,.1f} t from the state.")
    # Private-plot produce is eaten at home, on top of the ration drawn from the store.
    with_plots = " (ration and private plots)" if info["private_output_kg"] > 0 else ""
    lines.append(
        f"  People ate {info['food_kg_per_person']:.2f} kg a day each{with_plots}: "
        f"{info['kcal_per_person_day']:,.0f} kcal against a need of {info['kcal_need_per_person_day']:,.0f}."
    )
    lines.append(
        f"  Deaths {info['deaths']:,.1f} ({info['excess_deaths']:,.1f} above normal), births {info['births']:,.1f}; "
        f"population {info['population']:,.0f}."
    )
    lines.append(
        f"  Store {info['store_kg'] / 1000:,.1f} t, hidden {info['hidden_kg'] / 1000:,.1f} t. "
        f"Your standing {info['standing']:.2f} (purge risk {info['purge_probability']:.0%})."
    )
    if info["purged"]:
        lines.append("  You have been purged from your post. The episode ends.")
    return "\n".join(lines) + "\n"

"""Physical, physiological and demographic constants of the model, each with its source.

These are facts about grain, bodies and farms, not institutional choices, so they are not
:class:`~gl_env.core.params.Params` fields and no scenario changes them. Mortality and
fertility follow from them (calorie needs against body reserves); none is fitted to the
famine's demographic record.
"""

# --- time -------------------------------------------------------------------------------------
SEASONS = ("spring", "summer", "autumn", "winter")
SEASONS_PER_YEAR = 4
DAYS_PER_SEASON = 365.25 / 4
# Share of calendar days that a working member of the village can work (rest days, weather).
WORKDAY_SHARE = 0.8

# --- grain and energy ---------------------------------------------------------------------------
# Food energy of one kg of raw (unmilled) grain eaten: ~3,600 kcal/kg for milled rice, wheat flour
# and maize (FAO 2001, "Food energy: methods of analysis and conversion factors") times a milling
# extraction of ~0.83.
KCAL_PER_KG_GRAIN = 3000.0
# Energy from food other than grain and private-plot produce (collective vegetables, wild foods).
# Grain supplied ~85% of rural calories in 1950s China (Piazza 1986, "Food Consumption and
# Nutritional Status in the PRC"); 150 kcal/day is the remainder at a 2,300 kcal diet, less what
# private plots give (they are modelled separately).
KCAL_OTHER_FOOD_PER_DAY = 150.0

# --- energy needs -------------------------------------------------------------------------------
# Population-average daily need without farm work (mixed ages, light activity, PAL ~1.5 x BMR):
# FAO/WHO/UNU (1985), Energy and protein requirements, TRS 724.
KCAL_NEED_BASE_PER_DAY = 1700.0
# Extra energy of one day of heavy manual farm work over rest (8 h at ~2 kcal/min above resting):
# FAO/WHO/UNU (1985); Durnin & Passmore (1967), Energy, Work and Leisure.
KCAL_PER_WORKDAY = 1000.0
# Metabolic adaptation: as body reserves run down, energy spent at rest falls (Keys et al. 1950,
# The Biology of Human Starvation: basal metabolism fell 39% per person in semi-starvation).
# The need falls linearly to (1 - 0.4) of normal as reserves approach exhaustion.
METABOLIC_ADAPTATION = 0.4
# Famine foods: when grain falls short of the need, people gather wild plants, chaff and bark
# (the "substitute foods" campaign of 1960), covering part of the gap up to this many kcal/day.
KCAL_FAMINE_FOODS_MAX_PER_DAY = 400.0

# --- body reserves and mortality ------------------------------------------------------------------
# Energy a population-average person can lose before lethal emaciation: death comes near a loss
# of ~40% of body mass (Leiter & Marliss 1982, JAMA 248:2306), and weight lost costs ~7,700
# kcal/kg (Hall 2008, Int J Obes 32:573): ~170,000 kcal for a 55 kg adult, ~85 days of a full
# deficit. Children hold less but also need less; the population average is taken as 150,000
# kcal (the Minnesota volunteers lost ~130,000 kcal, a quarter of their weight, and all lived:
# Keys et al. 1950). Reserves are tracked as the share of this amount left (1 = well fed).
LETHAL_RESERVE_KCAL = 150_000.0
# Share of surplus energy that rebuilds reserves (the rest is the cost of tissue synthesis).
REFEEDING_EFFICIENCY = 0.7
# Individuals' reserves spread around the village mean (children, the old and the sick hold less).
# With a symmetric triangular spread of half-width w around a mean reserve r, the share of people
# whose own reserve is exhausted is (w - r)^2 / (2 w^2) for 0 <= r <= w: this is the seasonal
# starvation death rate. w = 0.5 means nobody starves while the mean reserve stays above half
# (a ~20% loss of body mass; the Minnesota volunteers lost 25% and all lived).
RESERVE_SPREAD = 0.5
# Hunger makes disease deadlier (Scrimshaw, Taylor & Gordon 1968, Interactions of Nutrition and
# Infection, WHO): baseline mortality is multiplied by 1 + this * (1 - reserve).
HUNGER_DISEASE_FACTOR = 1.0
# Crude death and birth rates of China in 1957, the last year before the Leap (NBS, China
# Statistical Yearbook 1983: 10.80 and 34.03 per 1000). They set the no-famine baseline only.
BASELINE_DEATHS_PER_1000_YEAR = 10.8
BASELINE_BIRTHS_PER_1000_YEAR = 34.0
# Fertility falls with body reserves: ovulation stops after a loss of 10-15% of body weight,
# about a third of body fat (Frisch & McArthur 1974, Science 185:949). Full fertility above this
# reserve, none below FERTILITY_RESERVE_ZERO, linear between.
FERTILITY_RESERVE_FULL = 0.8
FERTILITY_RESERVE_ZERO = 0.4
# Conception to birth: three seasons.
GESTATION_SEASONS = 3
# Collectivised child care (M5) raises child deaths: baseline mortality rises by up to this share
# when all women are mobilised.
CHILDCARE_MORTALITY_RISK = 0.1

# --- work capacity ---------------------------------------------------------------------------------
# Hunger lowers labour productivity (famine trap): work capacity is sqrt(food adequacy, floored)
# times a reserve factor that falls below this reserve.
WORK_CAPACITY_RESERVE = 0.5
WORK_CAPACITY_MIN = 0.25

# --- farming ----------------------------------------------------------------------------------------
# Collective field work needed per hectare in each growing season for a normal crop (1950s
# farm surveys: ~250-300 labour-days/ha/yr; Buck 1937, Land Utilization in China; Perkins 1969).
FIELD_WORKDAYS_PER_HA = 95.0
# Weight of each season's field work in the crop (sowing, growing, harvest); winter has none.
CROP_SEASON_WEIGHTS = (0.3, 0.4, 0.3, 0.0)
# Private plots: intensively worked kitchen gardens and pig feed, in grain-equivalent energy.
PRIVATE_WORKDAYS_PER_HA = 125.0
PRIVATE_YIELD_MULTIPLE = 1.5
PRIVATE_SEASON_WEIGHTS = (1 / 3, 1 / 3, 1 / 3, 0.0)
# Seed grain sown per hectare in spring (~7.5% of a normal harvest; Perkins 1969).
SEED_KG_PER_HA = 110.0
# Share of each season's yield effect owed to tools and to draft animals (linear shares).
TOOLS_YIELD_SHARE = 0.15
ANIMALS_YIELD_SHARE = 0.2

# --- stores ---------------------------------------------------------------------------------------
# Seasonal storage losses (pests, damp): collective granaries, and hidden caches (worse kept).
STORE_SPOILAGE_PER_SEASON = 0.01
HIDDEN_SPOILAGE_PER_SEASON = 0.03
# Share of hidden grain an anti-hiding search finds.
SEARCH_EFFICACY = 0.6

# --- works, steel, tools, animals ------------------------------------------------------------------
# Infrastructure index gained per labour-day/ha of works, in winter (other seasons: a third).
WORKS_GAIN_PER_DAY_HA = 0.0035
WORKS_SEASON_EFFICIENCY = (1 / 3, 1 / 3, 1 / 3, 1.0)
INFRA_MAX = 1.4
INFRA_DECAY_PER_SEASON = 0.01
# Failed hasty works destroy this multiple of what they would have added (salinised, flooded land).
WORKS_FAILURE_DAMAGE = 0.5
# Backyard pig iron per labour-day: ~3-4 Mt from ~90 million people over ~2 months in 1958
# (calibration_targets.csv: people_mobilised_backyard_furnaces, steel_output_unusable).
STEEL_KG_PER_WORKDAY = 0.6
# Iron farm implements per person, and the share of furnace feed that was melted tools.
TOOL_IRON_KG_PER_PERSON = 5.0
TOOL_SCRAP_SHARE = 0.3
TOOL_RENEWAL_PER_SEASON = 0.05
# Draft animals: natural increase under household care; slaughter and starvation in famine.
ANIMAL_GROWTH_PER_SEASON = 0.01
ANIMAL_FAMINE_LOSS = 0.3
ANIMAL_FAMINE_RESERVE = 0.7

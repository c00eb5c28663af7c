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
# Metabolic adaptation: as body reserves run down, energy spent at rest falls. Keys et al. (1950),
# The Biology of Human Starvation: after 24 weeks at ~1,570 kcal/day the volunteers had lost ~24%
# of their body weight (reserve 0.4 in model units, where 0 is a 40% loss) and their basal
# metabolism had fallen ~39%. The need falls with the body mass left (1 - 0.4 x the reserve spent)
# times an adaptation per unit of mass that reaches (1 - 0.39) / (1 - 0.24) = 0.80 at Keys' 24% and
# holds there: no controlled observation goes deeper, and below it only the shrinking body lowers
# the need (to 0.48 of normal at exhaustion, ~820 kcal/day: the basal need of an emaciated body).
# Activity on top of basal metabolism is taken to fall in proportion (judgement). It errs toward a
# higher need: in Minnesota total expenditure fell further, from ~2.2 to ~1.7 times basal
# (~3,500 kcal/day at the start against ~1,600 at week 24, figures to verify), as the men moved less.
KEYS_WEIGHT_LOSS = 24.0
KEYS_BASAL_METABOLISM_FALL = 0.39
METABOLIC_ADAPTATION = 1.0 - (1.0 - KEYS_BASAL_METABOLISM_FALL) / (1.0 - KEYS_WEIGHT_LOSS / 100.0)
# Famine foods (wild greens, chaff, bark, the "substitute foods" campaign of 1960: Yang Jisheng,
# Tombstone; Dikotter 2010; Zhou Xun 2012; famine foods as a universal response: O Grada 2009,
# Famine: A Short History). Gathered with diminishing returns on the gap g between need and food:
# kcal = C (1 - (1 - g / 2C)^2) up to g = 2C, then C, with C = cap x s(season): one for one for
# small gaps, smooth where it reaches the cap, so it never binds all at once. The cap is the
# parameter ``Params.famine_food_cap_kcal`` (its default and why: gl_env/core/params.py).
# Seasonal availability (wild greens in spring and summer, little in winter): judgement.
FAMINE_FOODS_SEASON = (1.0, 1.0, 0.7, 0.4)
# Health cost of famine foods: bark, chaff and cobs cause oedema, constipation and dysentery (the
# same sources). The hunger-related disease hazard is multiplied by 1 + this x (famine-food share
# of the intake). Judgement.
FAMINE_FOODS_HEALTH_COST = 1.0

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
# Hunger-related disease (most famine deaths: Mokyr & O Grada 2002, "What do people die of during
# famines", Eur Rev Econ Hist 6:339). Malnutrition multiplies the risk of dying of infection, and
# the log of child mortality is about linear in the weight deficit (Pelletier, Frongillo,
# Schroeder & Habicht 1995, Bull WHO 73:443): the baseline hazard is multiplied by (1 + b D / 8)^8
# (like exp(b D), with products only), D = 40 x (1 - reserve) the points of body weight lost. The
# coefficient: Olofin et al. 2013 (PLoS ONE 8:e64636), pooling 10 cohorts of children under five,
# give a hazard ratio of 9.40 for severe underweight (weight-for-age below -3 s.d.) against the
# reference (above -1 s.d.); in weight (WHO 2006 standard at 24 months: -3 s.d. is about 30% below
# the median, to verify) severe underweight sits near D = 33. So b = 8 (9.40^(1/8) - 1) / 33 = 0.078 per point.
# Their mild and moderate categories (1.52 and 2.63, near D = 16 and 25) lie below this line (3.2
# and 5.8): a log-linear form overstates moderate deficits (MODEL_CARD.md). The child relation
# applied to all ages is a judgement.
SEVERE_UNDERWEIGHT_HAZARD_RATIO = 9.40
SEVERE_UNDERWEIGHT_POINTS = 33.0
DISEASE_PER_POINT_LOST = 8.0 * (SEVERE_UNDERWEIGHT_HAZARD_RATIO**0.125 - 1.0) / SEVERE_UNDERWEIGHT_POINTS
WEIGHT_LOSS_AT_EXHAUSTION = 40.0
# Inanition: the seasonal hazard of a person of average frailty is STARVATION_HAZARD_AT_EXHAUSTION
# x (1 - reserve)^8. Anchors: death near a ~40% loss (reserve 0; Leiter &
# Marliss 1982) - a hazard of 4 a season is death within weeks; healthy young men survive a 24%
# loss (reserve 0.4) for months (Keys et al. 1950): 4 x 0.6^8 = 0.07 a season for the average
# villager, whose frailty is well above theirs. The power is a judgement between those anchors.
STARVATION_HAZARD_AT_EXHAUSTION = 4.0
# People are not equal: frailty z multiplies each person's hunger-related hazard (disease and
# inanition), with z gamma-distributed of mean 1 (Vaupel, Manton & Stallard 1979, Demography
# 16:439). The variance, 2 (a strongly left-skewed spread of resistance: most people above the
# mean's resistance, a minority far below), is a judgement standing for the young, the old and the
# sick (famine deaths concentrate there: Watkins & Menken 1985, Pop Dev Rev 11:647). With gamma
# frailty of mean z and variance v z^2 the season's hunger deaths are the share
# 1 - (1 + v z h)^(-1/v) and the survivors' mean frailty is z / (1 + v z h) (the frail die
# first), both exactly. The frail are renewed (children grow up, the sick recover or die) at
# FRAILTY_RENEWAL_PER_SEASON a season: judgement.
FRAILTY_VARIANCE = 2.0
FRAILTY_RENEWAL_PER_SEASON = 0.1
# Crude death and birth rates of China in 1957, the last year before the Leap (NBS, China
# Statistical Yearbook 1983: 10.80 and 34.03 per 1000). They set the no-famine baseline only.
BASELINE_DEATHS_PER_1000_YEAR = 10.8
BASELINE_BIRTHS_PER_1000_YEAR = 34.0
# Fertility falls with body reserves: ovulation stops after a loss of 10-15% of body weight,
# about a third of body fat (Frisch & McArthur 1974, Science 185:949). Full fertility above this
# reserve, none below FERTILITY_RESERVE_ZERO, linear between.
FERTILITY_RESERVE_FULL = 0.8
FERTILITY_RESERVE_ZERO = 0.4
# Mobilisation separates spouses: a share of the labor sent to works and furnaces lived in work
# camps away from home (the 1958-59 winter campaigns, dormitories; Yang Jisheng, Tombstone), and
# couples apart conceive nothing. Share of that labor away from home: judgement.
WORKS_AWAY_SHARE = 0.5
# Postponed conceptions are partly made up once food and families return (the Dutch Hunger Winter:
# Stein, Susser, Saenger & Marolla 1975, Famine and Human Development; Bongaarts & Cain 1982,
# "Demographic responses to famine"): each season this share of the postponed stock is conceived,
# times fertility, and this share is given up for good (ageing, widowhood). Judgement: about half
# of postponed conceptions are made up in good conditions.
CATCH_UP_PER_SEASON = 0.2
POSTPONED_LOST_PER_SEASON = 0.2
# Conception to birth: three seasons.
GESTATION_SEASONS = 3
# Collectivised child care (M5) raises child deaths: baseline mortality rises by up to this share
# when all women are mobilised.
CHILDCARE_MORTALITY_RISK = 0.1

# Flight: villagers leave when hungry and the roads are open (O Grada 2009; restricted in China by
# the 1958 household registration and militia blocking roads, "blind migrants" sent back:
# Dikotter 2010, Yang Jisheng). Each season up to FLIGHT_MAX_PER_SEASON of the village leaves,
# in proportion to how far the mean reserve is below FLIGHT_RESERVE, times (1 -
# Climate.migration_control); emigrants come back at RETURN_PER_SEASON a season, in proportion to
# how far the reserve is above RETURN_RESERVE (up to 1 at a full reserve). All judgements: no
# source gives a seasonal rate. Emigrants' deaths away are not the village's deaths.
FLIGHT_MAX_PER_SEASON = 0.1
FLIGHT_RESERVE = 0.7
RETURN_PER_SEASON = 0.3
RETURN_RESERVE = 0.8

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
# Wasted hasty works destroy this multiple of what they would have added (salinised, flooded land).
WORKS_FAILURE_DAMAGE = 0.5
# Graded works: the share of a season's works wasted is (intensity / haste)^2 (the v0 failure
# chance, now a share) times a village draw, uniform with mean 1 and this s.d. No source gives the
# within-province dispersion of works outcomes; 0.3 is a modest judgement.
WORKS_WASTE_SD = 0.3
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

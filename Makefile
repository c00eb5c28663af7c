# The README's two commands:
#   make run   set up (virtualenv + install) and run the main job
#   make test  set up and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[train,plot,video,classroom,county,dev]"
	touch $@

setup: $(VENV)/.installed

# The tests also run the sweep on a local Ray (the ray extra, which make run does not need).
$(VENV)/.installed-ray: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[ray]"
	touch $@

# Train the default agent (PPO, careerist, historical-1958) unless runs/default holds one, then
# evaluate it against the scripted baselines: leaderboard, CSV/JSON/Markdown and plots.
run: setup
	@if [ -f runs/default/final_model.zip ]; then \
		echo "runs/default is already trained (train.py --overwrite retrains it)"; \
	else \
		$(BIN)/python train.py; \
	fi
	$(BIN)/python evaluate.py

# Every test, the slow learning ones and the tutorial notebook included.
test: setup $(VENV)/.installed-ray
	$(BIN)/python -m pytest -n 2 -m "slow or not slow" tests --nbmake docs/tutorial.ipynb

lint: setup
	$(BIN)/ruff check .

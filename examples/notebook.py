# %% [markdown]
# # touchpath in a notebook
#
# A percent-format notebook: open it in Jupyter (with Jupytext) or VS Code to run it
# cell by cell, where every result renders as a table or a diagram; or run it as a
# plain script (`.venv/bin/python examples/notebook.py`), which prints the same results.
#
# The walk: the designed **map**, the observed event **log**, **validation** of the
# log against the map, the **funnel**, **attribution** and the KPI **scorecard**.

# %%
# ruff: noqa: B018 (a notebook: the last expression of a cell is what the cell shows)
from __future__ import annotations

from typing import Any

from touchpath import datasets, funnel, scorecard, templates
from touchpath.attribution import FirstTouch, LastTouch, Linear, Markov, Shapley, compare_models
from touchpath.metrics import stage_conversion, time_between
from touchpath.validation import DEFAULT_RULES, Deadline, validate

# %% [markdown]
# ## The map
# In a notebook the map renders as an SVG diagram (`_repr_html_`).

# %%
journey_map = templates.get("pay_per_call_marketplace")
print(" -> ".join(journey_map.stage_ids))
journey_map

# %% [markdown]
# ## The event log
# A summary table, the first events and any rejected rows.

# %%
log = datasets.sample()
print(repr(log))
log

# %% [markdown]
# ## Validation
# The default rules, plus the playbook's 24-hour activation deadline.

# %%
report = validate(
    log, journey_map, [*DEFAULT_RULES, Deadline("onboarding", "activation", "24 hours")]
)
print(repr(report))
print(report.violations[0].message)
report

# %% [markdown]
# ## Funnel

# %%
stages = funnel(log, journey_map=journey_map)
print(repr(stages))
stages

# %% [markdown]
# ## Attribution
# Five models side by side; `touchpath.plot.attribution(models)` draws them.

# %%
models = compare_models(
    log,
    {
        "first": FirstTouch(),
        "last": LastTouch(),
        "linear": Linear(),
        "markov": Markov(),
        "shapley": Shapley(),
    },
)
for channel, row in list(models.table().items())[:5]:
    print(f"{channel:14}" + "".join(f"{credit:9.1f}" for credit in row.values()))
models

# %% [markdown]
# ## KPI scorecard
# What the events can measure; the rest comes from billing and surveys.

# %%
activation = time_between(log, "onboarding", "activation", window="24 hours")
card = scorecard(
    journey_map,
    {
        "trial_to_paid": stage_conversion(log, "decision", "onboarding"),
        "activation_24h": activation.share_within,
    },
)
print(repr(card))
card

# %% [markdown]
# ## Charts (needs `touchpath[plot]`)

# %%
figure: Any = None
try:
    from matplotlib.figure import Figure
except ImportError:
    print("install touchpath[plot] for the charts")
else:
    from touchpath import plot

    figure = Figure(figsize=(12, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    plot.funnel(stages, ax=left)
    plot.attribution(models, ax=right, top=8)
    print("charts:", left.get_title(), "|", right.get_title())
figure

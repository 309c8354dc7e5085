# %% [markdown]
# # 03 — Texas house prices: 6 months → 6 months, and 12 months → next month
#
# Monthly median sale prices in 20 Texas housing markets, 2000-01 to 2015-07 (ggplot2's
# `txhousing`, bundled: `tsrnn.datasets.load("house_prices")`). One **global** model learns from
# all cities at once (`id_col="city"`); each city is scaled by its own training statistics.
#
# - **6 → 6** with `head="seq2seq"`: an encoder reads 6 months, a decoder rolls out the next 6.
# - **12 → 1** with `head="direct"`: a year in, next month out.
#
# The last 12 months of every city (2014-08 .. 2015-07) are held out. The baselines are naive
# (the last month repeated) and seasonal naive (the same month a year earlier).

# %%
import matplotlib.pyplot as plt
import pandas as pd
import torch

from tsrnn import NaiveForecaster, RNNForecaster, SeasonalNaiveForecaster
from tsrnn.datasets import describe, load
from tsrnn.plotting import plot_backtest, plot_forecast

torch.set_num_threads(1)
print(describe("house_prices"))

# %%
houses = load("house_prices").frame[["city", "date", "median"]]
SPLIT = pd.Timestamp("2014-08-01")
train = houses[houses.date < SPLIT]
roles = dict(target="median", time_col="date", id_col="city")
wide = houses.pivot(index="date", columns="city", values="median")
ax = wide[["Austin", "Dallas", "Houston", "Wichita Falls"]].plot(figsize=(9, 3.2))
ax.axvline(SPLIT, color="grey", ls="--")
ax.set(ylabel="median price, USD", title="A yearly cycle on a trend; held out after the line")
plt.show()

# %% [markdown]
# Prices rise over the years, so the last training years sit at the top of each city's scale.
# `window_norm="last"` lets the network see every window relative to its last value (shapes,
# not levels), and `time_features=True` adds the month of the year as sin/cos inputs, known
# for the forecast months too.

# %%
common = dict(window_norm="last", time_features=True, hidden_size=32, epochs=10,
              batch_size=32, lr=3e-3, random_state=0, device="cpu", **roles)
tasks = {
    "6 -> 6 (seq2seq)": RNNForecaster(lookback=6, horizon=6, head="seq2seq", **common),
    "12 -> 1 (direct)": RNNForecaster(lookback=12, horizon=1, head="direct", **common),
}
for name, model in tasks.items():
    model.fit(train)
    print(f"{name}: final training loss {model.history_[-1]['train_loss']:.3f}")

# %% [markdown]
# ## Held-out scores
#
# A backtest from every origin whose forecast lies in the held-out year (stride 1: 7 origins a
# city for 6 → 6, 12 for 12 → 1), batched into one pass. MAE is in dollars, sMAPE in percent,
# MASE relative to the in-sample one-month naive error.

# %%
rows, backtests = {}, {}
for name, model in tasks.items():
    h = model.horizon
    contenders = {"RNN": model,
                  "naive": NaiveForecaster(horizon=h, **roles).fit(train),
                  "seasonal naive (m=12)": SeasonalNaiveForecaster(m=12, horizon=h,
                                                                   **roles).fit(train)}
    for who, forecaster in contenders.items():
        result = forecaster.backtest(houses, start=SPLIT, stride=1)
        rows[(name, who)] = result.summary
        backtests[(name, who)] = result
scores = pd.DataFrame(rows).T
scores.round(3)

# %%
for name in tasks:
    rnn, naive = scores.loc[(name, "RNN"), "mae"], scores.loc[(name, "naive"), "mae"]
    assert rnn < naive
    print(f"{name}: RNN MAE ${rnn:,.0f} vs naive ${naive:,.0f} ({1 - rnn / naive:.0%} lower)")

# %% [markdown]
# Seasonal naive is the weakest here: a year ago prices were lower, and repeating last year
# misses the whole year's rise. Naive (the last month) keeps the level but not the seasonal
# swing; the network gets both.
#
# Per city, the 6 → 6 model against naive (sMAPE, %):

# %%
key = "6 -> 6 (seq2seq)"
per_city = pd.DataFrame({who: backtests[(key, who)].metrics.groupby("id")["smape"].mean()
                         for who in ("RNN", "naive", "seasonal naive (m=12)")})
print(f"RNN better than naive in {(per_city['RNN'] < per_city['naive']).sum()} of 20 cities")
ax = per_city.sort_values("RNN").plot.barh(figsize=(7, 6), width=0.8)
ax.set(xlabel="sMAPE, %", title="6 -> 6, held-out year, per city")
plt.show()

# %% [markdown]
# ## Forecasts
#
# `predict()` forecasts the 6 months after the training data (2014-08 .. 2015-01) for every
# city; `plot_forecast` draws them with the history and what actually happened.

# %%
model = tasks["6 -> 6 (seq2seq)"]
forecast = model.predict()
cities = ["Austin", "Dallas", "Houston"]
pick = forecast[forecast.city.isin(cities)].set_index("date")
history = train[train.city.isin(cities)].set_index("date")
actual = houses[houses.city.isin(cities) & houses.date.isin(pick.index)].set_index("date")
fig = plot_forecast(history, pick, actual, id_col="city", max_history=36,
                    title="6 -> 6 seq2seq: the first held-out half year")
fig

# %% [markdown]
# And the backtest of one city: every 6-month forecast from the held-out origins (the 12 → 1
# model's one-month forecasts would be single points).

# %%
fig = plot_backtest(backtests[("6 -> 6 (seq2seq)", "RNN")], series="Austin")
fig

# %% [markdown]
# A series the model never saw is scaled by its own history: `predict(data)` forecasts it as
# well. Given Austin's training history under a new name, the 12 → 1 model forecasts the same
# August 2014 price it gives Austin itself.

# %%
direct = tasks["12 -> 1 (direct)"]
austin = train[train.city == "Austin"]
renamed = austin.assign(city="Austin, as a new series")
both = direct.predict(pd.concat([austin, renamed]))
both["actual"] = houses.loc[(houses.city == "Austin") & (houses.date == SPLIT), "median"].item()
assert abs(both["median"].iloc[0] - both["median"].iloc[1]) < 1e-3 * both["median"].iloc[0]
both

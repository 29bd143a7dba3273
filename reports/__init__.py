"""Reading the inventory: dashboard, Excel exports, the gigabit rule, alerts."""

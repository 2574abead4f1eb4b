#!/usr/bin/env python3
"""Independent calculation of Fixtures/expected/smart-cooking.json.

Written from the contract text and SPEC.md (Part 2), not from the Swift interpreter: integers and
fractions only, no floating point. Run: python3 compute_smart_cooking.py > smart-cooking.json
"""
import json
import os
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
MEMBERS = ["yu", "chef", "farm", "factory", "oven", "fridge", "haier"]  # declaration order
SHARES_BP = {"yu": 3000, "chef": 1750, "farm": 1250, "factory": 1000, "oven": 1500, "fridge": 1000, "haier": 500}


def minor(text):
    """'1300000.55' -> 130000055 (CNY has 2 minor digits)."""
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int((frac + "00")[:2])
    return -value if negative else value


def percent(text):
    return Fraction(text.rstrip("%"))


def round_half_away(q):
    """The language's one rounding rule: nearest integer, halves away from zero."""
    sign = -1 if q < 0 else 1
    q = abs(q)
    floor = q.numerator // q.denominator
    return sign * (floor + (1 if q - floor >= Fraction(1, 2) else 0))


def hamilton(amount, weights):
    """Largest remainder; ties go to the earlier member. weights: list of (member, weight)."""
    total = sum(w for _, w in weights)
    floors = {m: amount * w // total for m, w in weights}
    remainders = {m: (amount * w) % total for m, w in weights}
    leftover = amount - sum(floors.values())
    order = sorted(range(len(weights)), key=lambda i: (-remainders[weights[i][0]], i))
    for i in order[:leftover]:
        floors[weights[i][0]] += 1
    assert sum(floors.values()) == amount
    return floors


def fmt(value):
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def main():
    with open(os.path.join(HERE, "..", "metrics", "smart-cooking.json")) as f:
        periods = json.load(f)
    previous_revenue = None
    total_ducks = 0
    total_dishes = 0
    decided = {}           # goal -> met?
    forfeited = set()
    fired_once = set()
    out = []
    for period in sorted(periods):
        m = periods[period]
        revenue, cost = minor(m["revenue"]), minor(m["cost"])
        total_ducks += int(m["ducks_sold"])
        total_dishes += int(m["new_dishes"])
        market = percent(m["market_growth"])
        paid = {name: 0 for name in MEMBERS}

        # Goals first, in declaration order.
        for goal, holds, deadline, forfeits in [
            ("launch_sales", total_ducks >= 5000, "2020-12", ["duck_bonus"]),
            ("seventeen_dishes", total_dishes >= 17, "2021-06", ["menu_bonus"]),
        ]:
            if goal in decided:
                continue
            if holds:
                decided[goal] = True
            elif period >= deadline:
                decided[goal] = False
                forfeited.update(forfeits)

        # platform_fee: fee 3% of revenue to haier, when revenue > 0.
        if revenue > 0:
            paid["haier"] += round_half_away(Fraction(revenue * 3, 100))

        # profit_sharing: profit > 0 and previous(revenue) > 0 and growth(revenue) > market_growth.
        profit = revenue - cost
        prev = previous_revenue if previous_revenue is not None else 0
        if profit > 0 and prev > 0 and Fraction((revenue - prev) * 100, prev) > market:
            pool = round_half_away(Fraction(profit * 40, 100))
            for name, amount in hamilton(pool, [(n, SHARES_BP[n]) for n in MEMBERS if SHARES_BP[n] > 0]).items():
                paid[name] += amount

        # duck_bonus (once): 20,000 ducks sold in total.
        if "duck_bonus" not in forfeited and "duck_bonus" not in fired_once and total_ducks >= 20000:
            fired_once.add("duck_bonus")
            paid["chef"] += 2000000
            for name, amount in hamilton(6000000, [("yu", 2), ("farm", 1), ("factory", 1), ("oven", 1), ("fridge", 1)]).items():
                paid[name] += amount

        # menu_bonus (once): 17 dishes in total.
        if "menu_bonus" not in forfeited and "menu_bonus" not in fired_once and total_dishes >= 17:
            fired_once.add("menu_bonus")
            paid["chef"] += 3000000

        out.append({"period": period, "members": {n: fmt(paid[n]) for n in MEMBERS if paid[n] != 0}})
        previous_revenue = revenue
    print(json.dumps({"periods": out}, indent=2))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent calculation of Fixtures/expected/explicit-weights.json.

Written from the contract text and SPEC.md (Part 2), not from the Swift interpreter: integers and
fractions only, no floating point. Splits pay in member DECLARATION order and equal remainders go
to the member declared first (SPEC 2.8), whatever the order of the weights list.
Run: python3 compute_explicit_weights.py > explicit-weights.json
"""
import json
import os
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
MEMBERS = ["oven", "sensors", "firmware", "recipes", "platform"]  # declaration order


def minor(text):
    """'1300000.55' -> 130000055 (CNY has 2 minor digits)."""
    negative = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    value = int(whole) * 100 + int((frac + "00")[:2])
    return -value if negative else value


def round_half_away(q):
    sign = -1 if q < 0 else 1
    q = abs(q)
    floor = q.numerator // q.denominator
    return sign * (floor + (1 if q - floor >= Fraction(1, 2) else 0))


def hamilton(amount, weights):
    """Largest remainder over {member: weight}; receivers in declaration order, ties to the earlier."""
    receivers = [m for m in MEMBERS if m in weights]
    total = sum(weights.values())
    parts = {m: amount * weights[m] // total for m in receivers}
    remainders = {m: (amount * weights[m]) % total for m in receivers}
    leftover = amount - sum(parts.values())
    order = sorted(range(len(receivers)), key=lambda i: (-remainders[receivers[i]], i))
    for i in order[:leftover]:
        parts[receivers[i]] += 1
    assert sum(parts.values()) == amount
    return parts


def fmt(value):
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


def main():
    with open(os.path.join(HERE, "..", "metrics", "explicit-weights.json")) as f:
        periods = json.load(f)
    first_profit_fired = False
    out = []
    for period, values in periods.items():
        revenue, cost = minor(values["revenue"]), minor(values["cost"])
        ovens, returns = int(values["ovens"]), int(values["returns"])
        profit = revenue - cost
        paid = {m: 0 for m in MEMBERS}
        if revenue > 0:  # platform_fee: 4% of revenue
            paid["platform"] += round_half_away(Fraction(revenue * 4, 100))
        return_rate = Fraction(returns * 100, ovens)  # percent
        if profit > 0 and return_rate <= 3:  # engineering_pool
            for pool_percent, weights in ((30, {"oven": 5, "sensors": 3, "firmware": 3}),
                                          (10, {"recipes": 1, "oven": 1, "sensors": 1})):
                pool = round_half_away(Fraction(profit * pool_percent, 100))
                for member, amount in hamilton(pool, weights).items():
                    paid[member] += amount
        if ovens >= 1000:  # volume_bonus: ovens * 7.00 CNY
            for member, amount in hamilton(ovens * 700, {"oven": 1, "sensors": 1, "firmware": 1}).items():
                paid[member] += amount
        if not first_profit_fired and profit > 0:  # first_profit, once
            first_profit_fired = True
            paid["recipes"] += 333333
        out.append({"period": period, "members": {m: fmt(paid[m]) for m in MEMBERS if paid[m] != 0}})
    print(json.dumps({"periods": out}, indent=2, ensure_ascii=False))


main()

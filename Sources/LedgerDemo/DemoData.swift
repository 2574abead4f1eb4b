import Ledger

/// Built-in sample data for `emc demo`: the Smart Cooking EMC contract.
/// `smartCookingContract` equals `Fixtures/contracts/smart-cooking.emc` (a test checks it).
public enum DemoData {
    public static let smartCookingContract = """
# Smart Cooking EMC: restaurant-quality Peking roast duck cooked at home.
# Launched by Yu Zhang through the Workbench in May 2019; first product on sale September 2020.
contract "Smart Cooking EMC"
currency CNY 2
settlement monthly

member yu      "Yu Zhang (Smart Cooking micro-enterprise)" micro-enterprise rating 4
member chef    "Chef Weili Zhang"                          external-partner
member farm    "Duck farm"                                 external-partner
member factory "Food processing factory"                   external-partner
member oven    "Smart oven micro-enterprise"               micro-enterprise
member fridge  "Smart fridge micro-enterprise"             micro-enterprise
member haier   "Haier platform (Workbench)"                platform rating 5

# Each member's share of the profit pool.
share yu      30%
share chef    17.5%
share farm    12.5%
share factory 10%
share oven    15%
share fridge  10%
share haier   5%

metric revenue       money   reported by yu
metric cost          money   reported by yu, factory
metric ducks_sold    count   reported by yu
metric new_dishes    count   reported by chef
metric market_growth percent reported by haier

define profit = revenue - cost

# Sell 5,000 ducks by the end of 2020, or the lead and the oven team lose a star
# and nobody gets the duck bonus.
goal launch_sales
  target total(ducks_sold) >= 5000
  deadline 2020-12
  if missed
    rating yu -1
    rating oven -1
    forfeit duck_bonus

# Bring 17 dishes to market by June 2021.
goal seventeen_dishes
  target total(new_dishes) >= 17
  deadline 2021-06
  if missed
    rating chef -1
    forfeit menu_bonus

# The platform takes 3% of revenue for running the Workbench.
rule platform_fee every period
  when revenue > 0
  then
    fee 3% of revenue to haier

# Common prosperity: share 40% of profit only when the whole EMC makes a profit
# and its revenue grows faster than the market.
rule profit_sharing every period
  when profit > 0 and previous(revenue) > 0 and growth(revenue) > market_growth
  then
    split 40% of profit by shares

# A one-time bonus when 20,000 ducks have been sold.
rule duck_bonus once
  when total(ducks_sold) >= 20000
  then
    pay chef 20000
    split 60000 by weights (yu 2, farm 1, factory 1, oven 1, fridge 1)

rule menu_bonus once
  when total(new_dishes) >= 17
  then
    pay chef 30000

"""

    /// Version 2: shares re-evaluated after the launch (the chef and the farm gain, the lead gives some up).
    public static let smartCookingContractV2 = smartCookingContract
        .replacing("share yu      30%", with: "share yu      27%")
        .replacing("share chef    17.5%", with: "share chef    19.5%")
        .replacing("share farm    12.5%", with: "share farm    13.5%")

    /// A proposal the chef rejects: the platform fee raised from 3% to 5%.
    public static let smartCookingContractHigherFee = smartCookingContractV2
        .replacing("fee 3% of revenue to haier", with: "fee 5% of revenue to haier")
        .replacing("# The platform takes 3% of revenue", with: "# The platform takes 5% of revenue")

    /// Monthly figures, 2020-09 to 2022-02: revenue, cost, ducks sold, new dishes, market growth (%).
    static let months: [(period: String, revenue: String, cost: String, ducks: String, dishes: String, market: String)] = [
        ("2020-09", "600000.00", "520000.00", "3000", "0", "2.0"),
        ("2020-10", "1100000.00", "850000.00", "5500", "0", "2.5"),
        ("2020-11", "1250000.00", "930000.00", "6300", "1", "3.1"),
        ("2020-12", "1300000.55", "1010000.17", "6500", "1", "3.0"),
        ("2021-01", "1250000.00", "990000.00", "6200", "2", "1.5"),
        ("2021-02", "1400000.00", "1180000.33", "7000", "2", "2.2"),
        ("2021-03", "1380000.00", "1400000.00", "6900", "1", "2.0"),
        ("2021-04", "1500000.01", "1210000.00", "7400", "2", "9.0"),
        ("2021-05", "1650000.00", "1300000.00", "8100", "1", "4.0"),
        ("2021-06", "1650000.00", "1280000.00", "8000", "2", "0"),
        ("2021-07", "1800000.77", "1390000.13", "8800", "2", "2.5"),
        ("2021-08", "1750000.00", "1400000.00", "8600", "3", "-3.5"),
        ("2021-09", "1900000.00", "1450000.00", "9100", "2", "3.0"),
        ("2021-10", "2000000.00", "1500000.00", "9500", "1", "2.0"),
        ("2021-11", "2100000.00", "1580000.00", "9900", "1", "4.0"),
        ("2021-12", "2300000.00", "1700000.00", "10800", "2", "3.5"),
        ("2022-01", "2250000.00", "1690000.00", "10400", "1", "1.0"),
        ("2022-02", "2400000.00", "1760000.00", "11000", "1", "2.0"),
    ]
}

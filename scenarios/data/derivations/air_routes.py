#!/usr/bin/env python3
"""Derives scenarios/data/air-routes.csv: the seats a day from each Russian airport to
each destination with direct flights in autumn 2022, and an ordinary one-way fare.

Run from the repository root: python3 scenarios/data/derivations/air_routes.py

Each destination's seats a day from all of Russia (TOTALS) are the FSB's third-quarter
2022 departures to it (scenarios/data/reported-2022.csv, fsb-q3-*) divided by a typical
load factor of 0.85, or hand-set where the FSB figure is not published. They are shared
among the airports that served the destination in proportion to each airport's hand-set
share of Russia's international seats (SHARE). Cross-check: the seats add to about
50,000 a day; Rosaviatsia counted 21.7 million international passengers to and from
Russia in January-September 2022, about 40,000 a day each way, which is 85% of 47,000.
The scenario scales the ordinary passengers with its own calibrated load factor
(air.ordinary_load), so only the relative sizes here are taken as given.
"""
TOTALS = {  # seats a day from all of Russia, ordinary one-way fare (roubles), basis
 "Turkey":    (27600, 21000, "FSB Q3 2022: 2,160,000 departures to Turkey (23,478 a day) / 0.85 load"),
 "Armenia":   (3400,  9000,  "FSB Q3 2022: 267,000 departures to Armenia (2,902 a day) / 0.85 load"),
 "Kyrgyzstan":(2140, 14000,  "FSB Q3 2022: 167,000 departures to Kyrgyzstan (1,815 a day) / 0.85 load"),
 "Uzbekistan":(1610, 14000,  "FSB Q3 2022: 126,000 departures to Uzbekistan (1,370 a day) / 0.85 load"),
 "Tajikistan":(1320, 15000,  "FSB Q3 2022: 103,000 departures to Tajikistan (1,120 a day) / 0.85 load"),
 "Kazakhstan":(2500, 12000,  "hand-set: 15% of FSB Q3 2022 departures to Kazakhstan (14,130 a day) taken as air, / 0.85 load"),
 "UAE":       (5000, 30000,  "hand-set"),
 "Egypt":     (3000, 25000,  "hand-set"),
 "Azerbaijan":(1500, 14000,  "hand-set"),
 "Serbia":    (700,  25000,  "hand-set"),
 "Israel":    (1200, 25000,  "hand-set"),
}
SHARE = {"svo":0.30,"vko":0.14,"dme":0.14,"led":0.12,"kzn":0.05,"svx":0.06,"ovb":0.05,"aer":0.05,"mrv":0.04,"kuf":0.05}
served = {
 "Turkey": list(SHARE),
 "Armenia": list(SHARE),
 "UAE": ["svo","vko","dme","led","kzn","svx","ovb","mrv","kuf"],
 "Egypt": ["svo","vko","dme","led","kzn","svx","ovb","kuf"],
 "Uzbekistan": list(SHARE),
 "Kyrgyzstan": ["svo","vko","dme","led","kzn","svx","ovb"],
 "Tajikistan": ["svo","vko","dme","led","kzn","svx","ovb","kuf"],
 "Kazakhstan": ["svo","dme","led","kzn","svx","ovb","aer","kuf"],
 "Azerbaijan": ["svo","vko","dme","led","kzn","svx","mrv"],
 "Serbia": ["svo","led"],
 "Israel": ["svo","vko","dme","led","aer"],
}
import csv, sys
w = csv.writer(open("scenarios/data/air-routes.csv", "w", newline=""), lineterminator="\n")
w.writerow(["id","airport","destination","seats","fare_rub","note"])
n = 0; total = 0
for dest, (seats, fare, basis) in TOTALS.items():
    s = sum(SHARE[a] for a in served[dest])
    for a in SHARE:
        if a not in served[dest]: continue
        v = int(round(seats*SHARE[a]/s/10.0))*10
        slug = dest.lower()
        w.writerow([f"{a}-{slug}", a, dest, v, fare, f"{basis}; airport share {SHARE[a]:.2f} of Russia's international seats (hand-set)"])
        n += 1; total += v
print(n, total)

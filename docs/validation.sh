#!/usr/bin/env bash
# Reproduces docs/validation.md: the two leave-one-place-out calibrations and their
# predictions. Run from the repository root with `exodus` on the PATH (or
# EXODUS=target/release/exodus). About 20 minutes per calibration on 2 cores.
set -euo pipefail
EXODUS=${EXODUS:-exodus}
SCENARIO=scenarios/mobilization-2022.toml
OUT=${OUT:-output/validation}

# Every hold-out search starts from the hand-set values the shipped calibration started
# from (not from the shipped fit, which has seen the held-out figures), with the search
# settings below.
START=(
  --set decision.base_log_hazard=-10.5 --set decision.resolute_share=0.03
  --set decision.resolute=6.5 --set decision.fatigue_per_day=0.15
  --set decision.announced_closure=1.0 --set decision.schengen_visa=1.5
  --set decision.peer=0.3 --set decision.regional_callup=0.08
  --set travel.preparation_days=0.3 --set "policy[exit-ban-rumour].credence=0.9"
  --set "destination[Georgia].constant=2.0" --set "destination[Finland].constant=3.0"
  --set "destination[Mongolia].constant=0.0" --set "destination[Norway].constant=0.0"
  --set "crossing[upper-lars].capacity=8000"
  --set "policy[upper-lars-pedestrians].multiplier=1.2"
  --set "policy[kazakhstan-all-checkpoints].multiplier=1.2"
  --set "policy[baltic-tourist-ban].baseline_share=0.9" --set air.ordinary_load=0.55
  --set "destination[Kazakhstan].onward_per_day=0.03"
  --set "destination[Georgia].onward_per_day=0.02"
  --set queue.patience_mean_days=2.0 --set choice.wait_day=-0.35
)
SEARCH=(--budget 800 --scale 50 --sigma 0.2 --replicates 2 --seed 20220921)

# 1. Georgia: every figure but the seed's weekly total held out (daily entries and
#    exits, the 4-day and 10-day sums, the queue at Upper Lars).
GEORGIA=upper-lars-queue-sep23,ge-daily-sep25,ge-daily-sep26,ge-daily-sep28,ge-daily-sep29,ge-daily-oct3,ge-exits-sep28,ge-exits-sep29,ge-cum-sep23-26,ge-exits-sep23-26,ge-entries-sep17-26,ge-exits-sep17-26
# 2. Kazakhstan's exits.
KAZAKHSTAN=kz-exits-2wk

"$EXODUS" calibrate "$SCENARIO" "${START[@]}" "${SEARCH[@]}" --hold-out "$GEORGIA" \
  --out "$OUT/without-georgia" --force ${THREADS:+--threads "$THREADS"}
"$EXODUS" calibrate "$SCENARIO" "${START[@]}" "${SEARCH[@]}" --hold-out "$KAZAKHSTAN" \
  --out "$OUT/without-kazakhstan-exits" --force ${THREADS:+--threads "$THREADS"}

# 3. The predictions with their 90% bands: each hold-out fit is run 20 times at 1:20
#    against the reported figures, its held-out figures marked `heldout`
#    (calibrated.toml names its data files relative to the folder it is written in).
validate() { # name, held-out ids
  sed -E "s/^(${2//,/|}),target,/\1,heldout,/" scenarios/data/reported-2022.csv > "$OUT/$1-reported.csv"
  "$EXODUS" validate "$OUT/$1/calibrated.toml" --observed "$OUT/$1-reported.csv" --replicates 20 \
    --scale 20 --out "$OUT/$1/validate" --force --plot ${THREADS:+--threads "$THREADS"}
}
validate without-georgia "$GEORGIA"
validate without-kazakhstan-exits "$KAZAKHSTAN"

# 4. The shipped fit itself, against every figure (targets and the held-out rows).
"$EXODUS" validate "$SCENARIO" --observed scenarios/data/reported-2022.csv --replicates 20 \
  --scale 20 --out "$OUT/shipped" --force --plot ${THREADS:+--threads "$THREADS"}

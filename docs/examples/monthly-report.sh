#!/usr/bin/env bash
# The monthly report: fetch data.police.uk up to its newest month, run a params file, print the reports to PDF
# and keep the newest runs. Each run's index.html says what moved since the run before.
#
#   docs/examples/monthly-report.sh                 # params/essex-policeuk.yaml, force essex, keep 12 runs
#   PARAMS=params/my-force.yaml FORCE=kent KEEP=24 OUT=/srv/reports docs/examples/monthly-report.sh
#
# Exit code: that of `workbench run` (0 ok, 1 a notebook failed, 2 bad input).
set -euo pipefail
cd "$(dirname "$0")/../.."
PARAMS=${PARAMS:-params/essex-policeuk.yaml}
FORCE=${FORCE:-essex}
KEEP=${KEEP:-12}
OUT=${OUT:-outputs}
MONTHS=${MONTHS:-36}   # how far back to fetch (each data.police.uk archive holds 36 months)
make venv
py=.venv/bin/python

# The newest month data.police.uk has published (its API answers e.g. {"date": "2025-10-01"}).
latest=$(curl -fsS https://data.police.uk/api/crime-last-updated | $py -c 'import json, sys; print(json.load(sys.stdin)["date"][:7])')
first=$($py -c "y, m = map(int, '$latest'.split('-')); i = y * 12 + m - 1 - ($MONTHS - 1); print(f'{i // 12}-{i % 12 + 1:02d}')")
echo "data.police.uk: $FORCE, $first to $latest"
.venv/bin/workbench fetch policeuk --force "$FORCE" --from "$first" --to "$latest" --dest data/policeuk

status=0
.venv/bin/workbench run "$PARAMS" --out "$OUT" --pdf || status=$?
run_name=$($py -c "import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))['run_name'])" "$PARAMS")
.venv/bin/workbench prune "$OUT/$run_name" --keep "$KEEP"
exit "$status"

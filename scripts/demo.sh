#!/usr/bin/env bash
# Set up, then review every bundled sample case into the local store (casefile-reviewer.db)
# and print the triage ranking. Serve it afterwards with: reviewer serve
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
reviewer batch samples --db casefile-reviewer.db
reviewer triage --db casefile-reviewer.db --top 10

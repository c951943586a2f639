#!/usr/bin/env bash
# lint.sh: the checks CI runs before the tests (.ci/run).
#   1. formatting: `swift format lint` with the repository's .swift-format (120 columns, 4 spaces); fix with
#      `swift format format -i -r Sources Tests Package.swift`
#   2. layering: scripts/check-layers.py (what may import what: docs/architecture.md)
# swift-format ships with the Swift toolchain (`swift format`), so nothing is installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

swift format lint --strict --recursive --parallel --configuration .swift-format Sources Tests Package.swift
python3 scripts/check-layers.py
echo "lint: formatting and layering are clean"

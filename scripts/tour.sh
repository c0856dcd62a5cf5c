#!/usr/bin/env bash
# The tour `make run` gives: real questions asked of the irp policy, answered as text for a
# person (allowed and denied), then one answer as the JSON a program gets.
# Build layer (demonstration).
set -uo pipefail
cd "$(dirname "$0")/.."
hogo=build/bin/hogo
ask() {
  echo "────────────────────────────────────────────────────────────────────────────"
  echo "Q: $1"
  echo "   hogo check --policy irp --format text $2"
  echo
  $hogo check --policy irp --format text "$2"
  echo "   (exit $?: 0 allow, 1 deny)"
  echo
}
$hogo policy check irp
echo
ask "May we send this applicant's résumé to the company they applied to through Recruit Agent?" examples/irp-application.json
ask "May a company the person blocked see their profile in Recruit Direct Scout?" examples/irp-blocked-scout.json
ask "May we put named candidates in a sales proposal to a prospective client?" examples/irp-sales-identified.json
ask "May we give Loyalty Marketing the member's registration data while the Ponta link is being set up?" examples/irp-ponta-linking.json
ask "May we send ads to a 14-year-old whose guardian has not agreed to the policy?" examples/irp-minor.json
ask "May we pass a candidate's medical history to Recruit?" examples/irp-sensitive-to-recruit.json
echo "────────────────────────────────────────────────────────────────────────────"
echo "The same first question as a program asks it (JSON in, JSON out):"
$hogo check --policy irp examples/irp-application.json

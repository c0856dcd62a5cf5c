#!/usr/bin/env bash
# Prints the include graph of lib/: each module (a folder of lib/) and the modules whose
# headers its files include ("module -> a b c"). With --check, also holds the graph to the
# layers written below and exits 1 naming every include that reaches up or sideways.
# Build layer (a developer script; tests/cli/test_layers.sh runs the check).
set -euo pipefail
cd "$(dirname "$0")/.."

# The layers, bottom first; a module may include only modules of a lower layer (never one
# of its own layer or above). Modules on one line are siblings.
layers=(
  "common signin"
  "store policy"
  "audit decide deid"
  "subject apikey officer"
  "ledger"
  "rights"
)

declare -A rank
for i in "${!layers[@]}"; do
  for m in ${layers[$i]}; do rank[$m]=$i; done
done

# module -> module edges, one "from to file:line" per include of another module's header
edges() {
  for dir in lib/*/; do
    from=$(basename "$dir")
    grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir"*.c "$dir"*.h 2>/dev/null |
    while IFS= read -r line; do
      loc=${line%%:#*}; loc=${loc%%:[[:space:]]*}
      hdr=$(sed -E 's/.*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$line")
      if [[ $hdr == */* ]]; then to=${hdr%%/*}; else to=$from; fi
      [[ $to == "$from" ]] || echo "$from $to $loc $hdr"
    done
  done
}

all=$(edges)
for dir in lib/*/; do
  m=$(basename "$dir")
  tos=$(awk -v m="$m" '$1 == m { print $2 }' <<<"$all" | sort -u | tr '\n' ' ')
  printf '%-8s -> %s\n' "$m" "${tos% }"
done

[[ ${1:-} == --check ]] || exit 0
bad=0
while read -r from to loc hdr; do
  [[ -n $from ]] || continue
  if [[ -z ${rank[$from]:-} || -z ${rank[$to]:-} ]]; then
    continue # a module without a layer is reported once, below
  elif (( rank[$to] >= rank[$from] )); then
    what=$([[ ${rank[$to]} == "${rank[$from]}" ]] && echo "a sibling's" || echo "a higher layer's")
    echo "layers: $loc: $from includes $hdr, $what header ($to is in layer ${rank[$to]}, $from in ${rank[$from]})" >&2
    bad=1
  fi
done <<<"$all"
for dir in lib/*/; do
  m=$(basename "$dir")
  [[ -n ${rank[$m]:-} ]] || { echo "layers: lib/$m has no layer; add it to scripts/include-graph.sh" >&2; bad=1; }
done
exit $bad

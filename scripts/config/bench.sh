#!/usr/bin/env bash
# Times `vigil check` against `keepalived -t` on the same generated file, in the same run.
# Usage: scripts/config/bench.sh PATH_TO_RELEASE_VIGIL
set -euo pipefail
VIGIL=${1:?release vigil binary}
command -v /usr/bin/time >/dev/null || { echo "bench-config: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
command -v keepalived >/dev/null || { echo "bench-config: keepalived missing" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$(dirname "$0")/gen-bench.py" 10000 10 > "$dir/bench.conf"
echo "config: $(wc -l < "$dir/bench.conf") lines, $(du -h "$dir/bench.conf" | cut -f1)"
measure() {  # label command... → prints "label seconds maxrss_kb"
    local label=$1; shift
    local best_s="" best_kb=""
    for _ in 1 2 3; do
        /usr/bin/time -f '%e %M' -o "$dir/t" "$@" >/dev/null 2>"$dir/err" || { echo "$label failed:"; tail -5 "$dir/err"; exit 1; }
        read -r s kb < "$dir/t"
        if [ -z "$best_s" ] || awk "BEGIN{exit !($s < $best_s)}"; then best_s=$s; best_kb=$kb; fi
    done
    echo "$label $best_s $best_kb"
}
v=$(measure vigil "$VIGIL" check --no-host-checks -f "$dir/bench.conf")
k=$(measure keepalived keepalived -t -f "$dir/bench.conf" -l -D -n)
read -r _ vs vkb <<<"$v"; read -r _ ks kkb <<<"$k"
printf 'vigil check      : %6.2f s  %7d KB peak RSS (best of 3)\n' "$vs" "$vkb"
printf 'keepalived -t    : %6.2f s  %7d KB peak RSS (best of 3)\n' "$ks" "$kkb"
awk -v vs="$vs" -v ks="$ks" -v vkb="$vkb" -v kkb="$kkb" 'BEGIN {
  printf "ratio vigil/keepalived: time %.2f, memory %.2f\n", (vs>0?vs:0.01)/(ks>0?ks:0.01), vkb/kkb
  ok = (vs < 1.0 && vkb < 200*1024 && vs <= ks)
  printf "goal (<1 s, <200 MB, faster than keepalived): %s\n", ok ? "met" : "NOT met"
}'

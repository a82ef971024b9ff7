#!/usr/bin/env bash
# Manual check of resume after kill -9 (README, "What happens when something goes wrong"): an uninterrupted run, then
# the same run killed with SIGKILL at several points and started again, then every output compared byte for byte
# (manifest.json, report.html and thumbs/ carry times and are left out). Usage: tests/kill9-resume.sh [VOC_DIR]
set -u
cd "$(dirname "$0")/.."
voc=${1:-../shared/data/voc-dev}
cli="dotnet samples/LpCam.Cli/bin/Release/net10.0/linux-x64/lpcam.dll"
args="run --voc $voc --max-images 60 --long-side 224 --k 4 --head-epochs 20 --irn"
root=out/kill9; rm -rf "$root"; mkdir -p "$root"
$cli $args --out "$root/ref" > "$root/ref.log" 2>&1 || { echo "the uninterrupted run failed: $root/ref.log"; exit 1; }
for delay in 3 6 9 12 15 18; do
  $cli $args --out "$root/killed" > "$root/killed.log" 2>&1 &
  pid=$!; sleep "$delay"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  echo "killed after ${delay} s, during: $(grep -oE '^[a-z-]+ +\[' "$root/killed.log" | tail -1 | tr -d ' [')"
done
$cli $args --out "$root/killed" > "$root/final.log" 2>&1 || { echo "the final run failed: $root/final.log"; exit 1; }
differ=0
while read -r f; do cmp -s "$root/ref/$f" "$root/killed/$f" || { echo "DIFFERS: $f"; differ=1; }; done < <(cd "$root/ref" && find . -type f ! -name manifest.json ! -name report.html ! -name .lock ! -path './thumbs/*' | sort)
echo "$(cd "$root/ref" && find . -type f ! -name manifest.json ! -name report.html ! -name .lock ! -path './thumbs/*' | wc -l) files compared"
exit $differ

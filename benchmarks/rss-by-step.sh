#!/usr/bin/env bash
# benchmarks/rss-by-step.sh OUT VOC [args]: runs lpcam run under /usr/bin/time -v, samples its resident size every 0.5 s
# with the current step (the label of the last progress line), prints each step's maximum and the whole run's maximum
# resident set size (docs/benchmarks.md, peak memory).
out=$1; voc=$2; shift 2
cd "$(dirname "$0")/.."; rm -rf "$out"
/usr/bin/time -v -o $out.time dotnet samples/LpCam.Cli/bin/Release/net10.0/linux-x64/lpcam.dll run --voc $voc --out $out "$@" > $out.log 2>&1 &
timer=$!
sleep 0.3; pid=$(pgrep -P $timer | head -1)
: > $out.rss
while kill -0 $timer 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
  step=$(grep -oE '^[a-z-]+ +\[' $out.log 2>/dev/null | tail -1 | tr -d ' [')
  [ -n "$rss" ] && echo "$step $rss" >> $out.rss
  sleep 0.5
done
awk '$1 != "" && $1 !~ /^[0-9]/ { if ($2 > m[$1]) m[$1] = $2 } END { for (s in m) printf "%-16s %8.0f MB\n", s, m[s]/1024 }' $out.rss
grep -E "Maximum resident|Elapsed" $out.time

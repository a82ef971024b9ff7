#!/usr/bin/env bash
# benchmarks/rss-by-step.sh OUT VOC [args]: runs lpcam run, samples its resident size every 0.5 s with the current step
# (the label of the last progress line) and prints each step's maximum (docs/benchmarks.md, peak memory).
out=$1; voc=$2; shift 2
cd "$(dirname "$0")/.."; rm -rf "$out"
dotnet samples/LpCam.Cli/bin/Release/net10.0/linux-x64/lpcam.dll run --voc $voc --out $out "$@" > $out.log 2>&1 &
pid=$!
: > $out.rss
while kill -0 $pid 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
  step=$(grep -oE '^[a-z-]+ +\[' $out.log 2>/dev/null | tail -1 | tr -d ' [')
  [ -n "$rss" ] && echo "$step $rss" >> $out.rss
  sleep 0.5
done
awk '$1 != "" && $1 !~ /^[0-9]/ { if ($2 > m[$1]) m[$1] = $2 } END { for (s in m) printf "%-16s %8.0f MB\n", s, m[s]/1024 }' $out.rss

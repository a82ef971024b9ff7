#!/usr/bin/env bash
# One-time (idempotent) setup of LpCam.MLNet on a fresh machine:
#   1. checks the .NET SDK;
#   2. makes TorchSharp's native library loadable (Debian 12 needs libstdc++ from Debian 13, see README "Requirements");
#   3. restores and builds the solution in Release.
# A second run changes nothing and only re-checks (the build is incremental).
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# --- 1. .NET SDK -----------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK 10 is not on PATH. Install it (https://learn.microsoft.com/dotnet/core/install/linux) and re-run."
sdk_major=$(dotnet --version | cut -d. -f1)
[ "$sdk_major" -ge 10 ] || die "the .NET SDK $(dotnet --version) is too old: net10.0 needs SDK 10 or newer."
say ".NET SDK $(dotnet --version): ok"

# --- 2. libstdc++ with GLIBCXX_3.4.32 (needed by TorchSharp 0.107's libLibTorchSharp.so) ---------------------------
# (awk stops reading at the first match, which may end ldconfig with SIGPIPE: not an error here)
libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}') || true
[ -n "$libstdcxx" ] || libstdcxx=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
if grep -aq 'GLIBCXX_3\.4\.32' "$libstdcxx" 2>/dev/null; then
  say "libstdc++ ($libstdcxx) provides GLIBCXX_3.4.32: ok"
else
  say "libstdc++ ($libstdcxx) lacks GLIBCXX_3.4.32, which TorchSharp 0.107's native library needs (GCC 13+ runtime)."
  . /etc/os-release 2>/dev/null || true
  if [ "${ID:-}" != "debian" ] || [ "${VERSION_ID:-}" != "12" ]; then
    die "install a libstdc++6 from GCC 13 or newer for your distribution (Ubuntu 24.04+, Debian 13+ and Fedora 39+ have one), then re-run."
  fi
  fix_cmd="echo 'deb http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/lpcam-trixie.list && printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/lpcam-trixie && apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -t trixie libstdc++6"
  if [ "$(id -u)" -ne 0 ]; then
    die "Debian 12 ships GLIBCXX_3.4.30 only. Run as root (or with sudo), then re-run ./setup.sh:
  sudo sh -c \"$fix_cmd\""
  fi
  say "Debian 12: installing libstdc++6 from Debian 13 (trixie), pinned so nothing else is upgraded by default."
  say "apt pulls a newer libc6 with it (a partial upgrade); this is the checked fix, see README."
  sh -c "$fix_cmd"
  grep -aq 'GLIBCXX_3\.4\.32' "$libstdcxx" || die "libstdc++6 from trixie was installed but $libstdcxx still lacks GLIBCXX_3.4.32."
  say "libstdc++ now provides GLIBCXX_3.4.32: ok"
fi

# --- 3. Restore and build --------------------------------------------------------------------------------------------
say "building LpCam.MLNet.sln (Release)"
dotnet build LpCam.MLNet.sln -c Release -nologo -v q -clp:NoSummary
say "done. Main job:  dotnet run --project samples/LpCam.Cli -c Release --no-build -- demo"

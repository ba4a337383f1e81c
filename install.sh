#!/usr/bin/env bash
# The milad command, compiled ahead of time (NativeAOT: no JIT at start-up, no .NET runtime needed to run it):
#   bash install.sh                 # -> ~/.local/bin/milad
#   PREFIX=/usr/local bash install.sh
# Builds src/Milad.Cli for this machine's processor (the same vector paths, and so the same numbers, as the
# JIT picks here) into out/milad/ of this checkout and links PREFIX/bin/milad to it. The NativeAOT compiler
# links with clang and zlib (apt packages clang and zlib1g-dev). Run it again after pulling changes.
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
prefix="${PREFIX:-$HOME/.local}"

command -v clang >/dev/null && [ -e /usr/include/zlib.h ] \
    || { echo "install.sh: the NativeAOT compiler links with clang and zlib: sudo apt-get install clang zlib1g-dev" >&2; exit 1; }

echo "install.sh: building milad (NativeAOT, a few minutes)"
rm -rf "$root/out/milad"
dotnet publish "$root/src/Milad.Cli" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet=native \
    -o "$root/out/milad" -v quiet -nologo
mkdir -p "$prefix/bin"
ln -sf "$root/out/milad/Milad.Cli" "$prefix/bin/milad"
echo "install.sh: $prefix/bin/milad -> $root/out/milad/Milad.Cli ($("$prefix/bin/milad" --version))"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install.sh: add $prefix/bin to PATH" ;; esac

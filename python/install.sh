#!/usr/bin/env bash
# Milad for Python in one command, on a machine with the .NET SDK and Debian's python3:
#   bash python/install.sh
# 1. apt-installs what is missing: clang and zlib1g-dev (the NativeAOT compiler links with them),
#    python3-numpy, python3-ase and python3-pytest;
# 2. builds libmilad.so (dotnet publish src/Milad.Native, NativeAOT) into python/milad/_lib/;
# 3. puts this checkout's python/ folder on /usr/bin/python3's path (a milad.pth file in its site-packages),
#    so that `/usr/bin/python3 -c "import milad"` works from any folder.
# Run it again after pulling changes to the C# library: it rebuilds the native library.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python=/usr/bin/python3

packages=(clang zlib1g-dev python3-numpy python3-ase python3-pytest)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    echo "install.sh: apt-get install ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "install.sh: building libmilad.so (NativeAOT, a minute or two)"
dotnet publish "$root/src/Milad.Native" -c Release -r linux-x64 -o "$root/out/native" -v quiet -nologo
mkdir -p "$root/python/milad/_lib"
cp "$root/out/native/libmilad.so" "$root/python/milad/_lib/libmilad.so"

site="$($python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
pth="$site/milad.pth"
if [ -w "$(dirname "$site")" ] || [ -w "$site" ]; then
    mkdir -p "$site"
    echo "$root/python" > "$pth"
else
    sudo mkdir -p "$site"
    echo "$root/python" | sudo tee "$pth" >/dev/null
fi
cd /
$python -c "import milad; print('install.sh: milad', milad.__version__, 'over libmilad', milad.library_version(), 'from', milad.__file__)"

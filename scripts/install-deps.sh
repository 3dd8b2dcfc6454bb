#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, if any are missing (root or
# sudo); with --libraries, only what the build and scripts/demo.sh need.
set -euo pipefail
# The libraries the build links and openssl (for the throwaway PKI): all that
# scripts/demo.sh needs (`--libraries`), since its servers are `hx serve`. Then the peers
# the tests and the interop suite start on 127.0.0.1.
packages=(libssl-dev libnghttp2-dev libuv1-dev zlib1g-dev libbrotli-dev libzstd-dev pkg-config openssl)
[[ ${1:-} == --libraries ]] || packages+=(nginx-core nghttp2-server nghttp2-client time python3-h2 python3-httpx curl iproute2 iptables tinyproxy microsocks brotli)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]})) || exit 0
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
echo "installing: ${missing[*]}"
$sudo_cmd apt-get update -q
# A first install can fail transiently ("cannot stat pathname"): retry once.
$sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
    || $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"

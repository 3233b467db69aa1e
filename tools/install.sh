#!/usr/bin/env bash
# Installs oht50d on this machine through its Debian package, the one install path (see README, "On the
# vehicle"): builds dist/oht50d_<version>_<arch>.deb with tools/package unless --deb names one, then
# `apt-get install` it (the unit is enabled and started, the user, data directory and token made).
#     tools/install.sh [--deb FILE]
#     tools/install.sh --uninstall     apt-get remove oht50d: keeps /opt/oht50 (data, config, .env);
#                                      `apt-get purge oht50d` deletes them too
set -euo pipefail
cd "$(dirname "$0")/.."
deb=""
case "${1:-}" in
    --uninstall) exec apt-get remove -y oht50d ;;
    --deb) deb=$(realpath "${2:?--deb needs a .deb file}") ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (apt-get install)" >&2
    exit 1
fi
[ -n "$deb" ] || deb=$(realpath "$(tools/package | tail -n 1)")
apt-get install -y "$deb"

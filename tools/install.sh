#!/usr/bin/env bash
# Installs oht50d on the vehicle (or into DESTDIR):
#   binaries      /usr/local/bin/{oht50d,rs485-probe,oht50-sim}   (release build)
#   unit          /etc/systemd/system/oht50-firmware.service
#   user          oht50 in dialout and gpio            (/usr/lib/sysusers.d/oht50.conf, systemd-sysusers)
#   udev rule     /etc/udev/rules.d/60-oht50-gpio.rules  (GPIO chips to group gpio, cpu_dma_latency to oht50)
#   config        /opt/oht50/config/firmware.yaml      (an edited one is kept; the new default is written
#                                                       beside it as firmware.yaml.default)
#   data          /opt/oht50/data                      (owned by oht50, 0750)
#   token         /opt/oht50/.env                      (OHT50_API_TOKEN, generated once, 0600, kept)
#
# Usage: tools/install.sh [--prebuilt DIR] [--no-start]
#        tools/install.sh --uninstall      removes binaries, unit, udev rule and sysusers entry; keeps
#                                          /opt/oht50 (data, config, .env) and the user
# DESTDIR=/some/root installs into that root and touches nothing of the running system
# (no systemctl, no udevadm): that is how the tests run it.
# --prebuilt DIR takes the binaries from DIR instead of building (e.g. .build/release).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
root="${DESTDIR:-}"
root="${root%/}"

mode=install
prebuilt=""
start=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --uninstall) mode=uninstall ;;
        --prebuilt) prebuilt="${2:?--prebuilt needs a directory}"; shift ;;
        --no-start) start=no ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "install.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

bin="$root/usr/local/bin"
unitdir="$root/etc/systemd/system"
unit="$unitdir/oht50-firmware.service"
sysusers="$root/usr/lib/sysusers.d/oht50.conf"
udevrule="$root/etc/udev/rules.d/60-oht50-gpio.rules"
base="$root/opt/oht50"
binaries=(oht50d rs485-probe oht50-sim)

say() { echo "install.sh: $*"; }
live() { [ -z "$root" ] && [ -d /run/systemd/system ]; }

if [ "$(id -u)" -ne 0 ] && [ -z "$root" ]; then
    echo "install.sh: run as root (or set DESTDIR to install into a directory)" >&2
    exit 1
fi

if [ "$mode" = uninstall ]; then
    if live; then
        systemctl disable --now oht50-firmware.service 2>/dev/null || true
    fi
    for b in "${binaries[@]}"; do rm -f "$bin/$b"; done
    rm -f "$unit" "$sysusers" "$udevrule"
    if live; then systemctl daemon-reload; fi
    say "removed binaries, unit, udev rule and sysusers entry; kept $base (data, config, .env) and user oht50"
    exit 0
fi

# 1. Binaries: a release build unless --prebuilt names a directory that holds them.
if [ -z "$prebuilt" ]; then
    say "release build (a first one takes several minutes)"
    (cd "$repo" && swift build -c release --product oht50d && swift build -c release --product rs485-probe \
        && swift build -c release --product oht50-sim)
    prebuilt="$repo/.build/release"
fi
install -d -m 0755 "$bin"
for b in "${binaries[@]}"; do
    [ -x "$prebuilt/$b" ] || { echo "install.sh: $prebuilt/$b is missing; build it or drop --prebuilt" >&2; exit 1; }
    install -m 0755 "$prebuilt/$b" "$bin/$b"
done

# 2. User and groups, then the udev rule that gives the GPIO chips to group gpio.
install -D -m 0644 "$repo/systemd/oht50-sysusers.conf" "$sysusers"
if [ -n "$root" ]; then
    install -d -m 0755 "$root/etc"
    systemd-sysusers --root="$root" "$sysusers"
else
    systemd-sysusers "$sysusers"
fi
install -D -m 0644 "$repo/systemd/60-oht50-gpio.rules" "$udevrule"
uid="$(awk -F: '$1 == "oht50" { print $3 }' "$root/etc/passwd")"
gid="$(awk -F: '$1 == "oht50" { print $4 }' "$root/etc/passwd")"
[ -n "$uid" ] || { echo "install.sh: user oht50 was not created in $root/etc/passwd" >&2; exit 1; }

# 3. The unit.
install -D -m 0644 "$repo/systemd/oht50-firmware.service" "$unit"

# 4. Config: install the default; keep an edited one and put the new default beside it.
install -d -m 0755 "$base" "$base/config"
config="$base/config/firmware.yaml"
default="$base/config/firmware.yaml.default"
if [ ! -e "$config" ]; then
    install -m 0644 "$repo/config/firmware.yaml" "$config"
    say "installed the default configuration $config"
elif cmp -s "$config" "$repo/config/firmware.yaml"; then
    say "$config is already the current default"
elif [ -e "$default" ] && cmp -s "$config" "$default"; then
    install -m 0644 "$repo/config/firmware.yaml" "$config"
    say "updated the unedited $config to the new default"
else
    say "kept your edited $config; the new default is $default (diff -u $default $config)"
fi
install -m 0644 "$repo/config/firmware.yaml" "$default"

# 5. Data directory, owned by the service user.
install -d -m 0750 -o "$uid" -g "$gid" "$base/data"

# 6. The API token, generated once and kept across reinstalls.
env="$base/.env"
if [ -e "$env" ]; then
    say "kept $env (the API token is unchanged)"
else
    token="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
    (umask 077 && printf 'OHT50_API_TOKEN=%s\n' "$token" > "$env")
    say "generated an API token in $env (mode 0600; the backend needs it for reset and move)"
fi
chmod 0600 "$env"

if [ -n "$root" ]; then
    say "installed into $root"
    exit 0
fi
if live; then
    udevadm control --reload-rules 2>/dev/null && udevadm trigger --subsystem-match=gpio 2>/dev/null || true
    systemctl daemon-reload
    systemctl enable oht50-firmware.service
    if [ "$start" = yes ]; then
        systemctl restart oht50-firmware.service
        say "oht50-firmware is running: systemctl status oht50-firmware; curl http://127.0.0.1:8081/health/"
    fi
else
    say "systemd is not running here: start it with /usr/local/bin/oht50d run --config $config"
fi

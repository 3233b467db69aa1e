# tools/build-cache.sh — where the Swift builds of tools/package, tools/fuzz and tools/sanitize keep their
# SwiftPM scratch directories: outside the clone, in $OHT50_CACHE/swiftpm/NAME-TOOLCHAIN (default
# /var/cache/oht50/swiftpm; TOOLCHAIN a hash of `swift -version`, so another compiler starts afresh), so
# that a fresh clone (every CI run) compiles only this package's own modules and not again the ≈ 470
# files of its dependencies: the dependencies' checkouts and objects sit at the same paths every time and
# SwiftPM finds them up to date (measured: the release build from a fresh clone 380 s → 86 s). Made when
# missing. Source it, then:
#   build_cache_use VAR NAME        sets VAR to the directory (made when missing) and holds its lock
#                                   until the caller exits: a second clone's run on this machine waits
#                                   instead of rebuilding what the first one is using
#   build_logged LOG WHAT CMD...    runs a build into LOG; its status decides (a kept scratch has the
#                                   last run's binaries, never to be used after a failed build)
build_cache() {
    local version
    version=$(swift -version 2>&1) || { echo "build-cache: swift -version failed: $version" >&2; return 1; }
    local dir=${OHT50_CACHE:-/var/cache/oht50}/swiftpm/$1-$(md5sum <<< "$version" | cut -c 1-8)
    mkdir -p "$dir" || { echo "build-cache: cannot make $dir" >&2; return 1; }
    echo "$dir"
}
# build_cache_lock DIR: waits (saying so, at most an hour) while another run holds DIR.
build_cache_lock() {
    local fd
    exec {fd}> "$1.lock" || { echo "build-cache: cannot open $1.lock" >&2; exit 2; }
    flock -n "$fd" && return 0
    # Who has it open (a child inherits the lock: a process left behind by a killed run holds it too).
    local holders="" p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "$BASHPID" ] && continue
        if ls -l "$p/fd" 2> /dev/null | grep -qF -- "-> $1.lock"; then
            holders+=" ${p#/proc/} ($(tr '\0' ' ' < "$p/cmdline" 2> /dev/null | cut -c 1-60))"
        fi
    done
    echo "build-cache: another run is using $1 (open in:${holders:- ?}); waiting for it (at most an hour)" >&2
    flock -w 3600 "$fd" || { echo "build-cache: $1 still in use after an hour; giving up" >&2; exit 2; }
}
build_cache_use() {
    local dir
    dir=$(build_cache "$2") || exit 2
    build_cache_lock "$dir"
    printf -v "$1" '%s' "$dir"
}
# build_logged LOG WHAT COMMAND...: on failure, the log's first error lines, "WHAT failed" and exit 2.
build_logged() {
    local log=$1 what=$2
    shift 2
    if ! "$@" > "$log" 2>&1; then
        grep -m 20 -E "error" "$log" >&2 || true
        echo "$what failed (log: $log)" >&2
        exit 2
    fi
}

# tools/harness.sh — the one `check` and `wait_for` of the bash test harnesses (package-test,
# systemd-test, arm64-test, kernel-guest). Source it, then set:
#   HARNESS_NAME  what prefixes each result line, e.g. "package-test: "
#   HARNESS_LOG   where a check's output goes (its last HARNESS_TAIL lines, 5, are shown when it fails)
# Optional hooks: harness_result LINE (where result lines go; default: stdout with the prefix),
# harness_detail (more words for a FAIL line, e.g. the vehicle's state), harness_on_fail NAME (more
# evidence after a failure, e.g. the journal). `harness_summary` prints the totals and the failed checks'
# names again (the evidence between may be long; a CI page keeps the end) and fails if one did.
# Also the checks more than one harness makes of the same output (doctor_json_names_libgpiod).
passed=0 failed=0 failures=""

# wait_for SECONDS COMMAND...: true once COMMAND succeeds (its output discarded), false after SECONDS.
wait_for() {
    local end=$((SECONDS + $1)); shift
    until "$@" > /dev/null 2>&1; do
        [ "$SECONDS" -ge "$end" ] && return 1
        sleep 0.1
    done
}

# check NAME COMMAND...: one result line, ok, or FAIL with the end of COMMAND's output.
check() {
    local name=$1; shift
    if "$@" > "$HARNESS_LOG" 2>&1; then
        harness_emit "ok $name"; passed=$((passed + 1))
    else
        local detail; detail=$(tail -n "${HARNESS_TAIL:-5}" "$HARNESS_LOG" | tr '\n' ' ')
        if declare -F harness_detail > /dev/null; then detail+=$(harness_detail); fi
        harness_emit "FAIL $name: $detail"; failed=$((failed + 1)) failures+=" $name"
        if declare -F harness_on_fail > /dev/null; then harness_on_fail "$name"; fi
    fi
}

harness_emit() {
    if declare -F harness_result > /dev/null; then harness_result "$1"; else echo "${HARNESS_NAME:-}$1"; fi
}

harness_summary() {
    echo "${HARNESS_NAME:-}$passed checks ok, $failed failed${failures:+:$failures}"
    [ "$failed" -eq 0 ]
}

# doctor_json_names_libgpiod JSON API: the libgpiod row of `oht50d doctor --json`'s output in JSON is ok
# and names the API loaded (v1 or v2); prints the row.
doctor_json_names_libgpiod() {
    python3 - "$1" "$2" <<'PY'
import json, sys
row = next(c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "libgpiod")
print(row)
sys.exit(0 if row["status"] == "ok" and f"({sys.argv[2]} API" in row["found"] else 1)
PY
}

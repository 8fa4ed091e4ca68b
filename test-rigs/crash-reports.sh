#!/usr/bin/env bash
# After a failed build: prints what a crashed test JVM left behind, so the cause is in the build's own output.
#   - hs_err_pid*.log: the JVM's fatal error report (a segfault in native code, such as the AWS CRT);
#   - *.dumpstream: what a forked test JVM wrote to its native stdout/stderr outside the test protocol
#     (a native library's "Fatal error condition occurred", the JVM's crash banner), one line per write.
# Always exits 1: it runs only when the build has failed. Usage: test-rigs/crash-reports.sh
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
found=0
print_reports() { # NAME-PATTERN HEADING FILTER
  while IFS= read -r -d '' report; do
    found=1
    echo "===== $2: ${report#"$root"/} =====" >&2
    $3 "$report" | head -n 60 >&2
  done < <(find "$root" -path "$root/.git" -prune -o -type f -name "$1" -print0 2>/dev/null)
}
native_writes() { sed -n -e "s/^Corrupted channel by directly writing to native stream in forked JVM [0-9]*\. Stream '\(.*\)'\.$/\1/p" -e '/^Corrupted channel/d' -e '/^# Created at/d' -e '/^$/d' -e 'p' "$1" | awk '!seen[$0]++'; }
print_reports 'hs_err_pid*.log' 'JVM crash report' cat
print_reports '*.dumpstream' 'native output of a test JVM' native_writes
if [[ $found -eq 0 ]]; then
  echo "crash-reports: no JVM crash report or fork dump stream under $root" >&2
fi
exit 1

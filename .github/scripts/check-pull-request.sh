#!/usr/bin/env bash
# The pull-request check: the BASE branch's tool judges the pull request's files.
#
#   check-pull-request.sh BASE_DIR HEAD_DIR AUTHOR [OUT_DIR [SUMMARY_FILE]]
#
# BASE_DIR  the base branch's checkout; `scenarios` on PATH was installed from it
#           (`pip install ./base`, not editable: the schema and the site's theme are
#           bundled in the installed package, so the pull request's copies are never used).
# HEAD_DIR  the pull request's checkout, with full history. It is read as DATA ONLY: nothing
#           in it is installed, imported, sourced or run. The programs run inside it are git
#           and the installed `scenarios` console script, whose sys.path starts with its own
#           folder, not the current one (never `python -m` there: that would import from it).
# AUTHOR    the pull request's author (github.event.pull_request.user.login).
# OUT_DIR   where the preview site is built (default: ./preview), outside HEAD_DIR: drafts
#           included and marked, relative links (it opens unzipped, from file://), a home
#           page listing the scenarios changed since the base; the summary says how to open it.
# SUMMARY_FILE  where the review's markdown is written too (default: none), outside
#           HEAD_DIR: the workflow uploads it for the comment workflow to post.
#
# The summary ($GITHUB_STEP_SUMMARY when set, and SUMMARY_FILE, which the comment posts)
# is the review's markdown (what needs a maintainer at the top), a table of the checks
# (passed or failed, what to do) ending in whether the pull request passes, then how to
# open the preview. Every check
# runs even when an earlier one fails; the exit status is 1 when any failed, 2 on a usage
# error.
set -uo pipefail

if [ "$#" -lt 3 ] || [ "$#" -gt 5 ]; then
  echo "usage: $0 BASE_DIR HEAD_DIR AUTHOR [OUT_DIR [SUMMARY_FILE]]" >&2
  exit 2
fi
base_dir=$(cd "$1" && pwd -P) || exit 2
head_dir=$(cd "$2" && pwd -P) || exit 2
author=$3
out_dir=$(realpath -m -- "${4:-preview}")
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
summary_file=$(realpath -m -- "${5:-/dev/null}")

tool=$(command -v scenarios) || { echo "error: scenarios is not installed" >&2; exit 2; }
case "$(realpath -- "$tool")/" in
  "$head_dir"/*) echo "error: $tool comes from the pull request's checkout" >&2; exit 2 ;;
esac
case "$out_dir/" in
  "$head_dir"/*) echo "error: OUT_DIR must be outside the pull request's checkout" >&2; exit 2 ;;
esac
case "$summary_file" in
  "$head_dir"/*) echo "error: SUMMARY_FILE must be outside the pull request's checkout" >&2; exit 2 ;;
esac
base_sha=$(git -C "$base_dir" rev-parse --verify 'HEAD^{commit}') || exit 2

status=0
results=()  # one table row a check, for the summary's "Checks" section
check() {  # check NAME FIX COMMAND...: run one check in its own log group, remember a failure
  local name=$1 fix=$2 code
  shift 2
  echo "::group::$name"
  "$@"
  code=$?
  echo "::endgroup::"
  if [ "$code" -ne 0 ]; then
    echo "$name: failed (exit $code)"
    status=1
    results+=("| $name | ❌ failed | $fix |")
  else
    results+=("| $name | ✅ passed | |")
  fi
}

cd "$head_dir" || exit 2
markdown=$("$tool" review --base "$base_sha" --head HEAD --author "$author" --format markdown)
if [ -z "$markdown" ]; then  # it could not run at all: say so where the summary would be
  markdown=$(printf '%s\n' "> [!CAUTION]" \
    "> **The review could not run** (see the job's log): a maintainer must check this pull request.")
fi
review() {  # every file in text, for the log (the comment may be cut), then the annotations
  "$tool" review --base "$base_sha" --head HEAD --author "$author" --format text
  "$tool" review --base "$base_sha" --head HEAD --author "$author" --format github
}
# GitHub shows 10 error annotations a step and drops the rest. Validate's go first: they
# point at the line to fix and are nowhere else on the pull request, while the review's
# rules broken are also in its comment (validate folds its own into at most 10).
# Strict for the files the pull request adds or changes; a warning in a file it leaves alone
# stays a warning (a copy's `unknown-source` once its owner removed the source, say).
check "Validate (scenarios validate --strict-since BASE)" \
  "fix what each annotation on *Files changed* says; run \`scenarios validate --strict\` on your files" \
  "$tool" validate --format github --strict-since "$base_sha"
check "Check the canonical layout (scenarios fmt --check)" "run \`scenarios fmt\` and commit" \
  "$tool" fmt --check --format github
check "Review ownership (scenarios review)" "see the rules broken above" review
# The preview: the drafts too (marked), links relative to each page (it opens unzipped,
# from file://), and a home page listing the scenarios the pull request changes.
check "Build the index and the preview site (scenarios build)" \
  "the job's log says why; usually fixed by the checks above" \
  "$tool" build --out "$out_dir" --drafts --relative-links --changes-since "$base_sha"
# The checks' results follow the review (and end the pull request's comment): the review's
# verdict says only whether the ownership rules hold, not whether the pull request passes.
if [ "$status" -ne 0 ]; then
  verdict="**This pull request does not pass its checks yet**: do what the failed ones say, and push."
else
  verdict="**All checks passed.**"
fi
checks=$(printf '%s\n' "### Checks" "" "| check | result | what to do |" "|---|---|---|" "${results[@]}" "" "$verdict")
printf '%s\n\n%s\n' "$markdown" "$checks" >>"$summary"
printf '%s\n\n%s\n' "$markdown" "$checks" >"$summary_file"
if [ -f "$out_dir/site/index.html" ]; then
  run_url=""
  if [ -n "${GITHUB_RUN_ID:-}" ]; then
    run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/$GITHUB_RUN_ID"
  fi
  preview=$(printf '%s\n' "" "### Preview" "" \
    "Download the \`site-preview\` artifact (at the bottom of ${run_url:-the summary page of this run}), unzip it and open \`index.html\` in a browser: it starts with the changed scenarios; drafts are shown, marked **Draft**." \
    "Pages, styles and links work straight from the folder. Search, flashcards, the builder and Review need a local server: in the unzipped folder run \`python3 -m http.server\` and open http://localhost:8000/.")
  printf '%s\n' "$preview" >>"$summary"
  printf '%s\n' "$preview" >>"$summary_file"
fi
exit "$status"

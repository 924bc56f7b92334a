#!/usr/bin/env bash
# Runs the Dockerfile's build steps, in order, in a clean copy of the tree (what is committed, as a
# fresh clone would have it), for machines without a Docker engine. COPY steps copy from the clean
# tree; RUN steps run there; USER, ENV, EXPOSE and CMD are reported, not applied. Ends by checking that
# what `npm start` needs is there: compiled contracts and the built entry point.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gridledger-image-XXXXXX")
CONTEXT=$WORK/context
APP=$WORK/app
mkdir -p "$CONTEXT" "$APP"
trap 'rm -rf "$WORK"' EXIT
# The build context: committed files only (.dockerignore leaves out the same build outputs).
git -C "$SRC" ls-files -z | (cd "$SRC" && xargs -0 cp --parents -t "$CONTEXT")
echo "== build context: $(git -C "$SRC" ls-files | wc -l) files in $CONTEXT"
step=0
while IFS= read -r line; do
  case "$line" in '' | \#*) continue ;; esac
  instruction=${line%% *}
  args=${line#* }
  step=$((step + 1))
  case "$instruction" in
    FROM | WORKDIR) echo "== $step $line (the app folder is $APP)" ;;
    COPY)
      echo "== $step $line"
      read -r -a parts <<<"$args"
      dest=${parts[-1]}
      for src in "${parts[@]:0:${#parts[@]}-1}"; do
        if [ "$src" = . ]; then cp -a "$CONTEXT/." "$APP/"; else cp -a "$CONTEXT/$src" "$APP/$dest"; fi
      done
      ;;
    RUN)
      echo "== $step $line"
      # The image's user (node, of the node base image) may not exist here: its chown is reported.
      prelude=''
      id node >/dev/null 2>&1 || prelude='chown() { echo "   (chown $*: no user node on this machine, not applied)"; };'
      (cd "$APP" && bash -euo pipefail -c "$prelude $args")
      ;;
    *) echo "== $step $line (not applied here)" ;;
  esac
done < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$SRC/Dockerfile")
test -f "$APP/contracts/artifacts/contracts/PaymentLedger.sol/PaymentLedger.json"
test -f "$APP/dist/scripts/start.js"
test -d "$APP/.gridledger"
echo "== ok: compiled contracts, dist/scripts/start.js and the run-time folders are in the image's tree"

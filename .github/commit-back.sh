#!/usr/bin/env bash
# The action's last step (action.yml, input `commit`): commit the phase documents and
# phasesync.lock that phasesync changed, and push them to BRANCH. Someone may have pushed
# while phasesync ran: then the commit is replayed on top once (rebase) and pushed again.
# A protected branch refuses the push: with ON_PROTECTED=pull-request the commit goes to a
# branch of its own and a pull request is opened (needs `permissions: pull-requests: write`
# and GH_TOKEN); otherwise the step fails and says what to do.
#
# Environment: BRANCH (required), MESSAGE, ON_PROTECTED (fail | pull-request), GH_TOKEN.
set -euo pipefail

: "${BRANCH:?BRANCH is the branch to push to}"
MESSAGE="${MESSAGE:-phasesync: update phase documents and lock from issues}"
ON_PROTECTED="${ON_PROTECTED:-fail}"
BOT=(-c user.name="github-actions[bot]"
     -c user.email="41898282+github-actions[bot]@users.noreply.github.com")

git add --update -- .
if [ -f phasesync.lock ]; then git add phasesync.lock; fi
if git diff --cached --quiet; then
  echo "Documents and lock are unchanged."
  exit 0
fi
git "${BOT[@]}" commit --quiet -m "$MESSAGE"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
push() { git push --quiet origin "HEAD:refs/heads/$BRANCH" 2>>"$log"; }
if push || { git "${BOT[@]}" pull --rebase --quiet origin "$BRANCH" 2>>"$log" && push; }; then
  echo "Committed and pushed to $BRANCH."
  exit 0
fi
cat "$log" >&2
# A replay that stopped on a conflict leaves a rebase in progress: go back to our commit.
git rebase --abort 2>/dev/null || true

# GitHub answers a push to a protected branch with GH006 (branch protection) or GH013
# (repository rules); GitLab with "You are not allowed to push code to protected branches".
if grep -qiE 'GH006|GH013|protected branch|rule violations|not allowed to push' "$log"; then
  if [ "$ON_PROTECTED" = "pull-request" ]; then
    head="phasesync/update-${GITHUB_RUN_ID:-$(date +%s)}"
    git push --quiet origin "HEAD:refs/heads/$head"
    gh pr create --base "$BRANCH" --head "$head" --title "$MESSAGE" \
      --body "phasesync changed the phase documents and lock, and $BRANCH is protected against direct pushes. Merge this to keep them in step with the issues."
    echo "$BRANCH is protected: opened a pull request from $head."
    exit 0
  fi
  echo "::error title=phasesync::$BRANCH is protected and refused the commit of the updated documents and lock. Either set the action's input on-protected-branch: pull-request (and give the job permissions: pull-requests: write), or let github-actions[bot] bypass the rule. The issues are synced; the next run tries again."
  exit 1
fi
echo "::error title=phasesync::could not push the updated documents and lock to $BRANCH (see the git output above); the next run tries again."
exit 1

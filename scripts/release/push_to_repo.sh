#!/usr/bin/env bash
# push_to_repo.sh OWNER/REPO PATH_IN_REPO FILE MESSAGE
#
# Commits FILE as PATH_IN_REPO in the repository OWNER/REPO (the Homebrew tap or the Scoop
# bucket) and pushes it. The token (contents: write on that repository) comes from
# RELEASE_REPOS_TOKEN; RELEASE_REPOS_BASE replaces https://github.com (tests use a local folder).
# Nothing to commit (the file is already there, e.g. a re-run) is not an error.
set -euo pipefail

repo="$1"
dest="$2"
file="$3"
message="$4"

if [ -n "${RELEASE_REPOS_BASE:-}" ]; then
  url="$RELEASE_REPOS_BASE/$repo.git"
else
  if [ -z "${RELEASE_REPOS_TOKEN:-}" ]; then
    echo "error: RELEASE_REPOS_TOKEN is empty: add a repository secret RELEASE_REPOS_TOKEN with contents: write on $repo" >&2
    exit 1
  fi
  url="https://x-access-token:${RELEASE_REPOS_TOKEN}@github.com/$repo.git"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone --quiet --depth 1 "$url" "$work/repo"
mkdir -p "$(dirname "$work/repo/$dest")"
cp "$file" "$work/repo/$dest"
cd "$work/repo"
git add -- "$dest"
if git diff --cached --quiet; then
  echo "$repo: $dest is already up to date"
  exit 0
fi
git -c user.name="kittify release" -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
  commit --quiet -m "$message"
git push --quiet origin HEAD
echo "$repo: pushed $dest ($message)"

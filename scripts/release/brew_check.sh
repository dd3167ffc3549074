#!/usr/bin/env bash
# brew_check.sh PUBLISHED_FORMULA [INSTALLABLE_FORMULA]
#
# Puts the formula into a local tap named like the real one (kittify/kittify, i.e. the
# repository kittify/homebrew-kittify), runs `brew audit --strict` on PUBLISHED_FORMULA (the text
# that goes to the tap), then installs INSTALLABLE_FORMULA (default: the same; before the release
# is published, the same formula with file:// URLs to the archives just built), runs `brew test`
# and the installed `kittify --version`, and uninstalls it. macOS and Linux (Homebrew on Linux).
set -euo pipefail

published="$1"
installable="${2:-$1}"
tap="kittify/kittify"

export HOMEBREW_NO_AUTO_UPDATE=1 HOMEBREW_NO_INSTALL_CLEANUP=1 HOMEBREW_NO_ANALYTICS=1
export HOMEBREW_NO_ENV_HINTS=1

if ! command -v brew >/dev/null 2>&1; then
  for candidate in /opt/homebrew/bin/brew /usr/local/bin/brew /home/linuxbrew/.linuxbrew/bin/brew; do
    if [ -x "$candidate" ]; then
      eval "$("$candidate" shellenv)"
      break
    fi
  done
fi
if ! command -v brew >/dev/null 2>&1; then
  echo "error: Homebrew is not installed on this machine" >&2
  exit 1
fi
brew --version | head -n1

if [ ! -d "$(brew --repository "$tap")" ]; then
  brew tap-new --no-git "$tap"
fi
formula_dir="$(brew --repository "$tap")/Formula"
mkdir -p "$formula_dir"
# Homebrew 6 loads formulae of a third-party tap only once it is trusted.
if brew trust --help >/dev/null 2>&1; then
  brew trust "$tap"
fi

cp "$published" "$formula_dir/kittify.rb"
echo "--- brew audit --strict $tap/kittify"
brew audit --strict --formula "$tap/kittify"

cp "$installable" "$formula_dir/kittify.rb"
echo "--- brew install $tap/kittify"
brew install --formula "$tap/kittify"
echo "--- brew test $tap/kittify"
brew test "$tap/kittify"
"$(brew --prefix)/bin/kittify" --version
brew uninstall --formula "$tap/kittify"
echo "Homebrew formula: audit, install and test passed"

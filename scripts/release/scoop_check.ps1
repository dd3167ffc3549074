# scoop_check.ps1 -Manifest PATH
#
# Installs kittify with Scoop from the manifest (Scoop checks the archive's hash against it),
# runs the installed `kittify --version`, and uninstalls it. Installs Scoop first when the
# machine has none (GitHub's Windows runners do not), as its installer documents for CI.
param([Parameter(Mandatory = $true)][string]$Manifest)
$ErrorActionPreference = 'Stop'

if (-not (Get-Command scoop -ErrorAction SilentlyContinue)) {
  Invoke-Expression "& {$(Invoke-RestMethod -Uri https://get.scoop.sh)} -RunAsAdmin"
  $env:PATH = "$env:USERPROFILE\scoop\shims;$env:PATH"
}
scoop --version

# scoop is a PowerShell script: a failed install shows in what follows (no kittify to run).
scoop install $Manifest
$version = kittify --version
if ($LASTEXITCODE -ne 0) { throw "kittify --version failed" }
Write-Output $version
$expected = (Get-Content $Manifest -Raw | ConvertFrom-Json).version
if ($version -ne "kittify $expected") { throw "installed '$version', manifest is $expected" }
scoop uninstall kittify
Write-Output "Scoop manifest: install and --version passed"

#!/usr/bin/env bash
# Install what casefile-reviewer needs on a fresh Debian machine: Tesseract (OCR) and
# Chromium (browser tests) and a British word list (OCR repairs) from Debian, the package and its test extras from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
need=()
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-eng)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/dict/british-english-large ] || need+=(wbritish-large)  # word list for OCR repairs
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# extract-msg (GPL-3.0, optional: only .msg files need it) is installed so its tests run
python3 -m pip install -q --disable-pip-version-check -e ".[test,samples,msg]"

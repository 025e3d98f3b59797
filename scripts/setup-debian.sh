#!/usr/bin/env bash
# Installs the Debian packages Vermittlung's tests and backend need, skipping those already present.
set -euo pipefail
packages=(
  chromium                       # browser tests and the browser shell's UI tests
  kamailio kamailio-websocket-modules kamailio-tls-modules kamailio-presence-modules
  kamailio-utils-modules kamailio-extra-modules   # the reference PBX
  rtpengine-daemon               # WebRTC <-> RTP media relay
  baresip-core                   # the outside SIP caller in tests
  sipsak                         # malformed-SIP probes
  openssl libnss3-tools
  libsecret-1-dev gnome-keyring dbus-x11   # keytar build and a real keychain in tests
  python3 make g++               # native modules (better-sqlite3, keytar)
  gcc libc6-dev                  # the PBX's OpenSSL fork guard for Kamailio 5.6 (pbx/openssl-fork-guard.c)
  librsvg2-bin                   # rsvg-convert: app and tray icons from SVG (scripts/build-icons.ts)
  systemd                        # systemd-analyze verify on the server package's units
  postgresql-client              # pg_dump/pg_restore: backups of a server on PostgreSQL
  espeak-ng sox                  # spoken German: the PBX's closed-firm announcement, the demo's customer
  poppler-utils                  # pdftotext/pdftoppm: tests read the monthly report back
  kamailio-postgres-modules      # acc CDRs into the server's PostgreSQL
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-debian: all packages present"
  exit 0
fi
echo "setup-debian: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

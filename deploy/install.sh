#!/bin/bash
# Install Pasboks as a kiosk appliance on Debian 12: run as root on a fresh machine, from a
# checkout of the repository. Safe to run again (an update): it never replaces the record key
# or an edited /etc/pasboks/kiosk.toml.
#
#   deploy/install.sh [--dry-run] [--source DIR] [--tty ttyN] [--no-apt]
#
#   --dry-run     print what would be done, change nothing
#   --source DIR  the checkout to install (default: the one this script is in)
#   --tty ttyN    the virtual terminal of the kiosk session (default tty1)
#   --no-apt      do not install Debian packages (they are there already)
#
# What it does:
#   1. apt packages: Cage, foot, Xwayland, grim, fonts, Python 3.11 with venv, make, rsync
#   2. the system user `pasboks` (groups dialout and video: serial devices and the camera)
#   3. the code in /opt/pasboks and its .venv (`make setup`: uv from PyPI, then uv.lock)
#   4. /etc/pasboks: kiosk.toml (from deploy/kiosk.example.toml, when missing), foot.ini
#   5. the record key: 32 random bytes sealed with `systemd-creds encrypt` (to the TPM when
#      there is one) into /etc/pasboks/record-key.cred; without systemd-creds, a 0600 file
#      /etc/pasboks/record.key loaded with LoadCredential= instead
#   6. the systemd units, the PAM stack of the kiosk session and the udev rules
#   7. enables the kiosk session on the VT (instead of its getty) and the graphical target
# The hand-off server and the staff console are installed, not enabled: they need their
# certificates first (see README, "Deploying a kiosk").
set -euo pipefail

PREFIX=/opt/pasboks
CONFIG_DIR=/etc/pasboks
UNIT_DIR=/etc/systemd/system
USER_NAME=pasboks
PACKAGES=(cage foot xwayland grim fonts-dejavu-core python3 python3-venv make rsync
          ca-certificates dbus libegl1 libgles2 libegl-mesa0 libgl1)

DRY_RUN=0
APT=1
TTY=tty1
SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --no-apt) APT=0 ;;
    --source) [ $# -ge 2 ] || die "--source needs a directory"; SOURCE=$2; shift ;;
    --tty) [ $# -ge 2 ] || die "--tty needs a terminal like tty1"; TTY=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
[[ $TTY =~ ^tty[0-9]+$ ]] || die "--tty must look like tty1, not $TTY"
if [ ! -f "$SOURCE/pyproject.toml" ] || [ ! -x "$SOURCE/deploy/pasboks-session" ]; then
  die "$SOURCE is not a Pasboks checkout (--source)"
fi
if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  die "run as root (or try --dry-run)"
fi

# Every change goes through `run` (a command) or `put` (a file from stdin), which only print
# under --dry-run.
run() {
  if [ "$DRY_RUN" = 1 ]; then
    printf 'would run:'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

put() {  # put MODE OWNER:GROUP FILE  < content
  local mode=$1 owner=$2 file=$3
  if [ "$DRY_RUN" = 1 ]; then
    echo "would write $file (mode $mode, $owner)"
    cat > /dev/null
  else
    local tmp
    tmp=$(mktemp "$file.XXXXXX")
    cat > "$tmp"
    chmod "$mode" "$tmp"
    chown "$owner" "$tmp"
    mv -f "$tmp" "$file"
  fi
}

step() { echo "== $*"; }

systemd_running() { [ -d /run/systemd/system ]; }

# 1. packages ------------------------------------------------------------------------------
step "Debian packages"
if [ "$APT" = 1 ]; then
  missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    run apt-get update
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      "${missing[@]}"
  else
    echo "all there: ${PACKAGES[*]}"
  fi
fi

# 2. the user ------------------------------------------------------------------------------
step "user $USER_NAME"
if id "$USER_NAME" >/dev/null 2>&1; then
  run usermod --append --groups dialout,video "$USER_NAME"
else
  # Its home is the state directory, which systemd creates (StateDirectory=pasboks).
  run useradd --system --user-group --groups dialout,video --home-dir /var/lib/pasboks \
    --no-create-home --shell /usr/sbin/nologin --comment "Pasboks kiosk" "$USER_NAME"
fi

# 3. code and venv -------------------------------------------------------------------------
step "code in $PREFIX"
run install -d -m 0755 -o root -g root "$PREFIX"
# root owns the code and the venv: the services can read and run them, never change them.
run rsync -a --delete --chown=root:root --chmod=Du=rwx,Dgo=rx,Fgo-w \
  --exclude=/.venv --exclude=/.tools --exclude=/.git --exclude=/var \
  --exclude=.mypy_cache --exclude=.pytest_cache --exclude=.ruff_cache --exclude=.hypothesis \
  --exclude=__pycache__ "$SOURCE/" "$PREFIX/"
run make -C "$PREFIX" setup

# 4. configuration -------------------------------------------------------------------------
step "configuration in $CONFIG_DIR"
run install -d -m 0750 -o root -g "$USER_NAME" "$CONFIG_DIR"
if [ -e "$CONFIG_DIR/kiosk.toml" ]; then
  echo "keeping $CONFIG_DIR/kiosk.toml"
else
  put 0640 "root:$USER_NAME" "$CONFIG_DIR/kiosk.toml" < "$SOURCE/deploy/kiosk.example.toml"
fi
if [ -e "$CONFIG_DIR/foot.ini" ]; then
  echo "keeping $CONFIG_DIR/foot.ini"
else
  put 0644 root:root "$CONFIG_DIR/foot.ini" < "$SOURCE/deploy/foot.ini"
fi

# 5. the record key ------------------------------------------------------------------------
# Sealed when systemd-creds is there (Debian 12's systemd 252 has it): the key goes from the
# random source through a pipe into `systemd-creds encrypt`, never onto a disk unsealed.
step "record key"
if [ -e "$CONFIG_DIR/record-key.cred" ]; then
  key_mode="sealed"
  echo "keeping the sealed record key (a new one would make the stored applications unreadable)"
elif [ -e "$CONFIG_DIR/record.key" ]; then
  key_mode="file"
  echo "keeping the record key file (a new one would make the stored applications unreadable)"
elif command -v systemd-creds >/dev/null 2>&1; then
  key_mode="sealed"
  if [ "$DRY_RUN" = 1 ]; then
    echo "would run: head -c32 /dev/urandom | systemd-creds encrypt --name=record-key - $CONFIG_DIR/record-key.cred"
  else
    ( umask 077 && head -c32 /dev/urandom |
        systemd-creds encrypt --name=record-key - "$CONFIG_DIR/record-key.cred" )
  fi
else
  key_mode="file"
  echo "no systemd-creds: the key goes into a 0600 file, loaded with LoadCredential="
  head -c32 /dev/urandom | put 0600 root:root "$CONFIG_DIR/record.key"
fi

# 6. units, PAM, udev ----------------------------------------------------------------------
step "systemd units, PAM, udev rules"
for unit in pasboks-kiosk@.service pasboks-handoff.service pasboks-console.service; do
  put 0644 root:root "$UNIT_DIR/$unit" < "$SOURCE/deploy/$unit"
done
# The units load the sealed key (LoadCredentialEncrypted=); a plain key file needs a drop-in.
for unit in pasboks-kiosk@.service pasboks-handoff.service; do
  dropin_dir="$UNIT_DIR/$unit.d"
  if [ "$key_mode" = file ]; then
    run install -d -m 0755 "$dropin_dir"
    put 0644 root:root "$dropin_dir/credential.conf" <<EOF
[Service]
# No systemd-creds here: the record key is a plain 0600 file that systemd (root) reads.
LoadCredentialEncrypted=
LoadCredential=record-key:$CONFIG_DIR/record.key
EOF
  elif [ -e "$dropin_dir/credential.conf" ]; then
    run rm -f "$dropin_dir/credential.conf"
  fi
done
put 0644 root:root /etc/pam.d/pasboks-kiosk < "$SOURCE/deploy/pasboks-kiosk.pam"
put 0644 root:root /etc/udev/rules.d/99-pasboks.rules < "$SOURCE/deploy/99-pasboks.rules"
if systemd_running; then
  run systemctl daemon-reload
  run udevadm control --reload
  run udevadm trigger --action=add --subsystem-match=tty --subsystem-match=usb \
    --subsystem-match=video4linux
fi

# 7. enable --------------------------------------------------------------------------------
step "enable the kiosk session on $TTY"
run systemctl disable "getty@$TTY.service"
run systemctl enable "pasboks-kiosk@$TTY.service"
run systemctl set-default graphical.target

echo
if [ "$DRY_RUN" = 1 ]; then
  echo "Dry run: nothing was changed. After a real run:"
else
  echo "Installed. Next:"
fi
echo "  edit $CONFIG_DIR/kiosk.toml (devices, kiosk_id, handoff), then: $PREFIX/.venv/bin/kiosk devices check --config $CONFIG_DIR/kiosk.toml"
echo "  start the kiosk:           systemctl start pasboks-kiosk@$TTY   (or reboot)"
echo "  hand-off server (certificates in $CONFIG_DIR first): systemctl enable --now pasboks-handoff"
echo "  staff console:             systemctl enable --now pasboks-console"
echo "  logs:                      journalctl -u pasboks-kiosk@$TTY -u pasboks-handoff -f"
